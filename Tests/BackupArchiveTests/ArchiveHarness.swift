import BackupArchive
import Foundation
import Logging
import TestSupport
import ZohoModel

/// An archive folder in a temporary place, a clock, and completed jobs served from memory by
/// a ``MemoryPartSource``: `BackupArchive` tested with doubles of its own level.
struct ArchiveHarness: Sendable {
    /// What the parts hold.
    struct Content: Sendable {
        /// Rows per module CSV in each data part (more rows, bigger parts).
        var recordsPerModule = 25
        /// Bytes of attachment files in `Attachments_001.zip` (stored, incompressible).
        var attachmentBytes = 4_096
    }
    struct Config: Sendable {
        var content = Content()
    }

    let source: MemoryPartSource
    let clock: ManualWallClock
    let root: String
    let config: Config
    private let jobs = Counter()

    static func run<T: Sendable>(_ configure: @Sendable (inout Config) -> Void = { _ in },
                                 _ body: @Sendable (ArchiveHarness) async throws -> T) async throws -> T {
        var config = Config()
        configure(&config)
        let root = try makeTemporaryFolder("archive")
        return try await body(ArchiveHarness(source: MemoryPartSource(), clock: ManualWallClock(now: 1_795_167_000), root: root, config: config))
    }

    /// A backup Zoho completed: a new job of two data parts and an attachments part, served
    /// by ``source``; the clock moves on a few seconds, as it does while Zoho works.
    func completedJob() async throws -> JobSpec {
        clock.advance(by: .seconds(3))
        let jobID = String(4_876_876_000_001_600_000 + jobs.next())
        let base = "https://download-accl.zoho.com/v2/crm/757345985/backup/\(jobID)/"
        var random = SplitMix(state: UInt64(jobID)!)
        let parts: [(String, Data)] = [
            ("Data_001.zip", Self.zip(["Contacts_001.csv": csv("Contacts", &random), "Deals_001.csv": csv("Deals", &random)])),
            ("Data_002.zip", Self.zip(["Notes_001.csv": csv("Notes", &random), "Users_001.csv": csv("Users", &random)])),
            ("Attachments_001.zip", Self.zip(attachments(&random), deflate: false)),
        ]
        for (name, data) in parts { source.serve(data, at: base + name) }
        return try JobSpec.fromLinks(parts.map { base + $0.0 }, org: "acme", completedAt: clock.date,
                                     linksExpiry: clock.date.addingTimeInterval(7 * 86_400))
    }

    func folder(faults: FaultPoints = .none, minFree: ByteSize = ByteSize(bytes: 0), path: String? = nil) -> ArchiveFolder {
        ArchiveFolder(path: path ?? root + "/archive", org: "acme", minFree: minFree, faults: faults, logger: Logger(label: "test"))
    }

    /// The bytes the source serves for a link.
    func served(_ link: String) -> Data { source.data(link) ?? Data() }

    /// A module's CSV as Zoho writes it: a BOM, a header, one row per record.
    func csv(_ module: String, _ random: inout SplitMix) -> Data {
        var text = "\u{FEFF}Record Id,Name,Email,Amount\n"
        for i in 0..<config.content.recordsPerModule {
            let id = random.next() % 1_000_000_000_000
            text += "zcrm_\(id),\(module) \(i),user\(random.next() % 100_000)@example.com,\(random.next() % 1_000_000)\n"
        }
        return Data(text.utf8)
    }

    /// Attachment files of `attachmentBytes` in all (random, so incompressible), 3 at most.
    func attachments(_ random: inout SplitMix) -> [String: Data] {
        let total = config.content.attachmentBytes
        var files: [String: Data] = [:]
        for n in 0..<3 {
            let size = total / 3 + (n == 0 ? total % 3 : 0)
            files["Attachments/\(random.next() % 1_000_000)_file\(n).bin"] = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
        return files
    }

    /// A zip of `entries` (names sorted), deflated or stored, with a valid directory.
    static func zip(_ entries: [String: Data], deflate: Bool = true) -> Data {
        var zip = HostileZip()
        var directory: [HostileZip.Entry] = []
        for (name, data) in entries.sorted(by: { $0.key < $1.key }) {
            let stored = deflate ? Deflate.raw(data) : data
            let offset = zip.local(name: name, method: deflate ? 8 : 0, data: stored)
            directory.append(.init(name: name, method: deflate ? 8 : 0, crc32: Deflate.crc(data), compressedSize: UInt32(stored.count),
                                   uncompressedSize: UInt32(data.count), localHeaderOffset: offset))
        }
        zip.directory(directory)
        return zip.bytes
    }

    /// Job numbers. Safe: `value` is touched under `lock` only.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.withLock { value += 1; return value } }
    }
}

/// Runs a command and returns its status and output (stdout, then stderr).
func run(_ path: String, _ arguments: [String], in folder: String? = nil) throws -> (status: Int32, output: String) {
    let r = try ChildProcess.run(path, arguments, in: folder)
    return (r.status, r.all)
}

func mode(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? NSNumber)?.intValue ?? -1
}
