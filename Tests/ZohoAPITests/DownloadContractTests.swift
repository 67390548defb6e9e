import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import Testing
import TestSupport
import ZohoAPI
import ZohoModel
import ZohoSimulator

/// Downloads through the client from the simulator's download host: whole, resumed, refused.
@Suite("Downloads from the simulator")
struct DownloadContractTests {
    /// Completes an immediate backup and returns its links.
    static func completedBackup(_ h: Harness) async throws -> [String] {
        _ = try await h.client.schedule(nil)
        h.clock.advance(by: .seconds(3))
        return try #require(try await h.client.downloadURLs()).allLinks
    }

    /// Downloads `link` whole into memory (test parts are a few KiB).
    static func fetch(_ h: Harness, _ link: String, from offset: Int64 = 0) async throws -> (PartDownload, Data) {
        let box = Box()
        let result = try await h.client.download(link, from: offset) { start, _, bytes in
            box.start = start
            box.data.append(contentsOf: bytes)
        }
        return (result, box.data)
    }

    final class Box: @unchecked Sendable {
        // Safe: used by one task at a time (the download's sink), read after it returns.
        var start: Int64 = 0
        var data = Data()
    }

    @Test("parts are real zips in Zoho's layout; Python's csv module reads the records the simulator holds")
    func partsAreRealZipsWithKnownRecordCounts() async throws {
        try await Harness.run({ $0.content.recordsPerModule = 40 }) { h async throws in
            let links = try await Self.completedBackup(h)
            let folder = NSTemporaryDirectory() + "zcb-parts-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            var paths: [String] = []
            for link in links {
                let (result, data) = try await Self.fetch(h, link)
                #expect(result.start == 0 && result.total == Int64(data.count) && result.received == Int64(data.count))
                let path = folder + "/" + (try #require(DownloadLink(link)).fileName)
                try data.write(to: URL(fileURLWithPath: path))
                #expect(try unzip(["-tq", path]).status == 0, "\(path) passes unzip -t")
                paths.append(path)
            }
            let python = try PythonCSV.read(paths, rows: false)
            var counts: [String: Int] = [:]
            for (name, file) in python.files {
                let module = String(name.dropFirst("Data/".count).prefix { $0 != "_" })
                if !name.contains("_RecordAccess_") { counts[module, default: 0] += file.ids.count }
                #expect(Set(file.ids).count == file.ids.count, "\(name): unique ids")
            }
            let expected = await h.zoho.dataset.recordCounts
            #expect(expected.values.allSatisfy { $0 == 40 })
            for (module, count) in expected { #expect(counts[module] == count, "\(module)") }
            #expect(Set(["Data/Leads_001.csv", "Data/Leads_002.csv"]).isSubset(of: Set(python.files.keys)))
            #expect(python.files["Data/Leads_001.csv"]?.part == "Data_001.zip" && python.files["Data/Leads_002.csv"]?.part == "Data_002.zip",
                    "a module spread over two parts")
            #expect(python.files["Data/Users_001.csv"]?.ids.count == 3)
            #expect(python.files["Data/Attachments_001.csv"]?.ids.count == python.attachments.count)
            #expect(python.files["Data/Leads_001.csv"]?.header.first == "Record Id")
        }
    }

    @Test func cutOffPartResumesWithRange() async throws {
        try await Harness.run({ $0.content.attachmentBytes = 200_000 }) { h async throws in
            let link = try #require(try await Self.completedBackup(h).last)
            let (_, whole) = try await Self.fetch(h, link)
            await h.zoho.inject(Fault(.truncate(bytes: 70_000), pathContains: "/Attachments_001.zip"))
            let box = Box()
            do {
                _ = try await h.client.download(link) { _, _, bytes in box.data.append(contentsOf: bytes) }
                Issue.record("a cut-off body must fail")
            } catch let error as ZohoError {
                #expect(error.kind == .network)
                #expect(error.file == "Attachments_001.zip")
            }
            // Every byte that arrived was handed over; the kernel may drop the tail of a cut
            // connection, so at most the 70,000 sent, and at least one piece.
            #expect(box.data.count > 0 && box.data.count <= 70_000)
            #expect(box.data == whole.prefix(box.data.count))
            let (resumed, rest) = try await Self.fetch(h, link, from: Int64(box.data.count))
            #expect(resumed.start == Int64(box.data.count) && resumed.total == Int64(whole.count))
            #expect(box.data + rest == whole)
            let ranged = await h.zoho.requestLog.filter { $0.path.hasSuffix("Attachments_001.zip") }.map(\.status)
            #expect(ranged == [200, 200, 206])
        }
    }

    @Test func serverIgnoringRangeRestartsFromZero() async throws {
        try await Harness.run { h async throws in
            let link = try #require(try await Self.completedBackup(h).first)
            await h.zoho.inject(Fault(.ignoreRange, pathContains: "/Data_001.zip"))
            let (result, data) = try await Self.fetch(h, link, from: 100)
            #expect(result.start == 0)
            #expect(Int64(data.count) == result.total)
        }
    }

    @Test func foreignHostIsRefusedAndGetsNoToken() async throws {
        try await Harness.run { h async throws in
            let link = try #require(try await Self.completedBackup(h).first)
            // The same simulator, reached by a name that is not on the allow-list.
            let foreign = link.replacingOccurrences(of: "127.0.0.1", with: "localhost")
            do {
                _ = try await Self.fetch(h, foreign)
                Issue.record("a link to a host off the allow-list must be refused")
            } catch let error as ZohoError {
                #expect(error.kind == .linkRefused)
                #expect(error.description.contains("not one of the org's download hosts"))
            }
            #expect(await h.zoho.count("GET", "/v2/crm/") == 0, "no request reached the download path")
        }
    }

    @Test func expiredTokenMidwayIsRefreshedOnce() async throws {
        try await Harness.run { h async throws in
            let link = try #require(try await Self.completedBackup(h).first)
            await h.zoho.expireAllTokens()
            let (_, data) = try await Self.fetch(h, link)
            #expect(!data.isEmpty)
            #expect(await h.zoho.requestLog.filter { $0.path.hasSuffix("Data_001.zip") }.map(\.status) == [401, 200])
        }
    }

    @Test func flippedByteArrivesAsServed() async throws {
        try await Harness.run { h async throws in
            let link = try #require(try await Self.completedBackup(h).first)
            let (_, clean) = try await Self.fetch(h, link)
            await h.zoho.inject(Fault(.flipByte(offset: 200), pathContains: "/Data_001.zip"))
            let (_, flipped) = try await Self.fetch(h, link)
            #expect(flipped.count == clean.count)
            #expect(zip(clean, flipped).filter { $0 != $1 }.count == 1, "exactly one byte differs: verification must catch it")
        }
    }

    @Test func stalledBodyTimesOut() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: .init(timeout: .init(connect: .seconds(2), read: .milliseconds(300))))
        do {
            try await Harness.run { h async throws in
                let link = try #require(try await Self.completedBackup(h).first)
                await h.zoho.inject(Fault(.stall, pathContains: "/Data_001.zip", times: 9))
                let transport = AHCTransport(client: client)
                let direct = ZohoClient(org: "acme", endpoints: h.client.endpoints, tokens: h.tokens, transport: transport,
                                        clock: h.clock, retry: RetryPolicy(maxAttempts: 2), jitter: { 0 }, logger: Logger(label: "t"))
                #expect(await ZohoError.Kind.thrown { _ = try await direct.download(link) { _, _, _ in } } == .network)
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func unzip(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// The remaining simulator faults, seen through the client.
@Suite("Simulator faults")
struct SimulatorFaultTests {
    @Test func slowBodyStillArrivesWhole() async throws {
        try await Harness.run { h async throws in
            let link = try #require(try await DownloadContractTests.completedBackup(h).first)
            let (_, clean) = try await DownloadContractTests.fetch(h, link)
            await h.zoho.inject(Fault(.slowBody(delay: .milliseconds(1)), pathContains: "/Data_001.zip"))
            let (_, slow) = try await DownloadContractTests.fetch(h, link)
            #expect(slow == clean)
        }
    }

    @Test func noContentWhereABodyWasExpected() async throws {
        try await Harness.run { h async throws in
            _ = try await h.client.schedule(nil)
            await h.zoho.inject(Fault(.noContent, method: "GET", pathContains: "/backup"))
            #expect(try await h.client.backupInfo() == nil, "204 reads as 'nothing' and the next look sees the job")
            #expect(try await h.client.backupInfo()?.status == .inProgress)
        }
    }

    @Test func linksCanPointAtAForeignHost() async throws {
        try await Harness.run { h async throws in
            await h.zoho.setDownloadBase("https://download.evil.example")
            _ = try await h.client.schedule(nil)
            h.clock.advance(by: .seconds(3))
            let link = try #require(try await h.client.downloadURLs()?.dataLinks.first)
            #expect(await ZohoError.Kind.thrown { _ = try await h.client.download(link) { _, _, _ in } } == .linkRefused)
        }
    }

    @Test func partsAreTheSameForTheSameSeed() async throws {
        let first = try await Harness.run { h async throws in
            let link = try #require(try await DownloadContractTests.completedBackup(h).last)
            return try await DownloadContractTests.fetch(h, link).1
        }
        let second = try await Harness.run { h async throws in
            let link = try #require(try await DownloadContractTests.completedBackup(h).last)
            return try await DownloadContractTests.fetch(h, link).1
        }
        #expect(first == second)
    }
}
