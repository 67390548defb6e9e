import Foundation
import Testing
import TestSupport

/// The inputs that once trapped the daemon or passed verification (the review behind "One bad
/// answer must never take the daemon down") are seeds of the fuzz corpora, byte for byte as the
/// hostile-input tests build them: the fuzzer starts from them and `make test` replays them.
/// `ZCB_WRITE_SEEDS=1 swift test --filter KnownCrashSeed` writes the files after a change here.
@Suite("Known crash inputs are fuzz seeds")
struct KnownCrashSeedTests {
    struct Seed: Sendable, CustomTestStringConvertible {
        var target: String
        var file: String
        var bytes: Data
        var testDescription: String { "\(target)/\(file)" }
    }

    static func slug(_ name: String) -> String {
        let words = name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : " " }
        return String(words).split(separator: " ").joined(separator: "-")
    }

    static let seeds: [Seed] = {
        var seeds = HostileZip.shapes.map { Seed(target: "zip", file: "hostile-\(slug($0.name)).zip", bytes: $0.zip.bytes) }
        let headers = [
            ("content-range-2to63", "bytes 0-9223372036854775807/*"),
            ("retry-after-year-1e17", "Sun, 06 Nov 99999999999999999 08:49:37 GMT"),
            ("retry-after-year-int64max", "Sun, 06 Nov 9223372036854775807 08:49:37 GMT"),
            ("retry-after-day-1e17", "Sun, 99999999999999999 Nov 1994 08:49:37 GMT"),
            ("retry-after-hour-1e17", "Sun, 06 Nov 1994 99999999999999999:49:37 GMT"),
            ("retry-after-int64max-seconds", "9223372036854775807"),
        ]
        seeds += headers.map { Seed(target: "headers", file: "hostile-\($0.0).txt", bytes: Data($0.1.utf8)) }
        let base = "https://download-accl.zoho.com/v2/crm/757345985/backup/4876876000001594004/"
        seeds += [
            Seed(target: "link", file: "hostile-not-a-part-name.txt", bytes: Data((base + "Contacts.csv").utf8)),
            Seed(target: "link", file: "hostile-other-path-shape.txt",
                 bytes: Data("https://download-accl.zoho.com/files/757345985/backup/4876876000001594004/Data_001.zip".utf8)),
        ]
        let twoJobs = """
        {"urls":{"data_links":["\(base)Data_001.zip","https://download-accl.zoho.com/v2/crm/757345985/backup/14876876000001594004/Data_002.zip"],\
        "attachment_links":[],"expiry_date":"2022-06-30T17:31:03+05:30"}}
        """
        seeds.append(Seed(target: "wire", file: "hostile-links-two-jobs.json", bytes: Data(twoJobs.utf8)))
        return seeds
    }()

    @Test("the seed file holds the hostile input", arguments: seeds)
    func seedIsCommitted(_ seed: Seed) throws {
        let path = "\(FuzzReplayTests.fuzz)/corpus/\(seed.target)/\(seed.file)"
        if ProcessInfo.processInfo.environment["ZCB_WRITE_SEEDS"] == "1" {
            try seed.bytes.write(to: URL(fileURLWithPath: path))
        }
        let committed = try #require(FileManager.default.contents(atPath: path), "\(path) is missing: run with ZCB_WRITE_SEEDS=1")
        #expect(committed == seed.bytes, "\(path) differs from the input the hostile-input tests build")
    }
}
