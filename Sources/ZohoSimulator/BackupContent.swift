import Foundation

/// The contents of a simulated backup: real zips of CSV files per CRM module with known
/// record counts, and attachment files; deterministic from the seed, generated once into a
/// cache folder.
public struct BackupContent: Sendable {
    /// The CRM modules every backup holds, spread over the data parts.
    public static let modules = ["Leads", "Contacts", "Accounts", "Deals", "Tasks", "Notes", "Calls", "Products"]

    /// Records per module in every backup (tests check the CSVs hold exactly this many).
    public var recordsPerModule: Int
    /// Attachment files per attachment part, and the size of each (random, so incompressible:
    /// this sets an attachment part's size, from a few KB for tests to a GiB for benchmarks).
    public var attachmentsPerPart: Int
    public var attachmentBytes: Int
    public var folder: String

    public init(folder: String, recordsPerModule: Int = 25, attachmentsPerPart: Int = 3, attachmentBytes: Int = 4_096) {
        self.folder = folder
        self.recordsPerModule = recordsPerModule
        self.attachmentsPerPart = attachmentsPerPart
        self.attachmentBytes = attachmentBytes
    }

    /// Why the cache folder cannot be used.
    public struct ForeignFolder: Error, CustomStringConvertible {
        /// The folder and what is wrong with it.
        public var description: String
    }

    /// Creates the cache folder (0700) or checks the one there: a real folder (not a link),
    /// owned by this user, writable by no one else — so another local user cannot plant the
    /// parts this simulator serves (a shared name under /tmp could be created first by anyone).
    public func ownedFolder() throws { try Self.ownedFolder(folder) }

    /// Creates `folder` (0700) or checks the one there, as ``ownedFolder()`` does.
    public static func ownedFolder(_ folder: String) throws {
        var info = stat()
        if lstat(folder, &info) != 0 {
            guard errno == ENOENT else { throw ForeignFolder(description: "\(folder): \(String(cString: strerror(errno)))") }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard lstat(folder, &info) == 0 else { throw ForeignFolder(description: "\(folder): \(String(cString: strerror(errno)))") }
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == geteuid(), info.st_mode & 0o022 == 0 else {
            throw ForeignFolder(description: "\(folder) is not a folder of this user's that only it can write (someone else may have made it): the simulator will not serve parts from it; remove it or choose another folder")
        }
    }

    /// The modules in data part `number` (1-based) of `parts`.
    public static func modules(inPart number: Int, of parts: Int) -> [String] {
        modules.enumerated().filter { $0.offset % max(parts, 1) == number - 1 }.map(\.element)
    }

    /// The path of the part, generated on first use, in a cache folder that must be this
    /// user's own (see ``ownedFolder()``).
    public func file(job: String, name: String, dataParts: Int, seed: UInt64) throws -> String {
        try ownedFolder()
        let dir = "\(folder)/\(job)"
        let path = "\(dir)/\(name)"
        if FileManager.default.fileExists(atPath: path) { return path }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let temp = path + ".tmp-\(UUID().uuidString)"
        let writer = try ZipWriter(path: temp)
        let number = Int(name.filter(\.isNumber)) ?? 1
        if name.hasPrefix("Data_") {
            for module in Self.modules(inPart: number, of: dataParts) {
                var rows = (0..<recordsPerModule).makeIterator()
                var headerSent = false
                try writer.add(name: "\(module).csv") {
                    if !headerSent {
                        headerSent = true
                        return Data("Record Id,Name,Email,Owner,Created Time\n".utf8)
                    }
                    guard let i = rows.next() else { return nil }
                    let id = 4_876_876_000_002_000_000 + Int(seed % 1000) * 10_000 + i
                    return Data("\(id),\(module) record \(i),\(module.lowercased())\(i)@example.com,Simulated Admin,2026-01-01T00:00:00+05:30\n".utf8)
                }
            }
        } else {
            let jobHash = job.utf8.reduce(UInt64(1_469_598_103_934_665_603)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
            var generator = SeededGenerator(seed: seed &+ UInt64(number) &* 7_919 &+ jobHash)
            for index in 0..<attachmentsPerPart {
                var remaining = attachmentBytes
                try writer.add(name: "Attachments/\(number)-\(index + 1).bin") {
                    guard remaining > 0 else { return nil }
                    let n = min(remaining, 256 * 1024)
                    remaining -= n
                    // Eight random bytes per step: a GiB-sized part generates in seconds, once.
                    var chunk = Data(count: (n + 7) / 8 * 8)
                    chunk.withUnsafeMutableBytes { raw in
                        for i in 0..<raw.count / 8 { raw.storeBytes(of: generator.next(), toByteOffset: i * 8, as: UInt64.self) }
                    }
                    return chunk.prefix(n)
                }
            }
        }
        try writer.finish()
        try FileManager.default.moveItem(atPath: temp, toPath: path)
        return path
    }
}

/// SplitMix64: small, fast, deterministic.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
