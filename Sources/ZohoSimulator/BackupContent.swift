import Foundation

/// The parts of a simulated backup, written in Zoho's layout from a ``SimulatedDataset``:
/// data zips of `Data/<Module>_NNN.csv` files and attachment zips of
/// `Attachments/<id>_<name>` files; generated once per backup into a cache folder.
public struct BackupContent: Sendable {
    /// The CRM modules every backup holds (API names).
    public static var modules: [String] { SimulatedDataset.moduleNames }

    /// Records per module in the first backup.
    public var recordsPerModule: Int
    /// Attachment files per attachment part in the first backup, and the size of each (random,
    /// so incompressible: this sets an attachment part's size, from a few KB for tests to a
    /// GiB for benchmarks). The defaults make attachments about 90 % of a backup's bytes, as
    /// in real orgs.
    public var attachmentsPerPart: Int
    public var attachmentBytes: Int
    public var folder: String
    /// The admin's language, for CSV headers: `en` or `it`.
    public var locale = "en"
    /// How much changes from one backup to the next.
    public var rates = SimulatedDataset.Rates()
    /// Every backup's attachments get bytes of their own (the worst case for deduplication,
    /// benchmarks only); by default an unchanged attachment is byte-identical in the next backup.
    public var rewritesAttachments = false

    public init(folder: String, recordsPerModule: Int = 25, attachmentsPerPart: Int = 3, attachmentBytes: Int = 32_768) {
        self.folder = folder
        self.recordsPerModule = recordsPerModule
        self.attachmentsPerPart = attachmentsPerPart
        self.attachmentBytes = attachmentBytes
    }

    /// The org's data before its first backup.
    public func dataset(seed: UInt64, attachmentParts: Int) -> SimulatedDataset {
        SimulatedDataset(seed: seed, recordsPerModule: recordsPerModule, attachments: attachmentsPerPart * max(attachmentParts, 1),
                         attachmentBytes: attachmentBytes, locale: locale, rates: rates)
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

    /// The path of part `name` of the first backup of a new org (seeded by `seed`), generated on first use.
    public func file(job: String, name: String, dataParts: Int, seed: UInt64) throws -> String {
        var dataset = dataset(seed: seed, attachmentParts: 1)
        dataset.takeBackup()
        return try file(job: job, name: name, dataParts: dataParts, attachmentParts: 1, dataset: dataset)
    }

    /// The path of part `name` of the backup whose data is `dataset`, generated on first use
    /// in a cache folder that must be this user's own (see ``ownedFolder()``).
    public func file(job: String, name: String, dataParts: Int, attachmentParts: Int, dataset: SimulatedDataset) throws -> String {
        try ownedFolder()
        let dir = "\(folder)/\(job)-\(dataset.fingerprint)-\(dataParts)x\(attachmentParts)\(rewritesAttachments ? "-rewritten" : "")"
        let path = "\(dir)/\(name)"
        if FileManager.default.fileExists(atPath: path) { return path }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let temp = path + ".tmp-\(UUID().uuidString)"
        let writer = try ZipWriter(path: temp)
        let number = Int(name.filter(\.isNumber)) ?? 1
        if name.hasPrefix("Data_") {
            for file in dataset.dataFiles(part: number, of: dataParts) {
                try writer.add(name: file.path, produce: dataset.chunks(file))
            }
        } else {
            for (entry, attachment) in dataset.attachmentEntries(part: number, of: attachmentParts) {
                // The bytes depend on the attachment alone: unchanged, they are identical in the next backup.
                let week: UInt64 = rewritesAttachments ? UInt64(dataset.backup) << 40 : 0
                var generator = SeededGenerator(seed: dataset.seed &* 7_919 &+ UInt64(attachment.ordinal) &+ week)
                var remaining = attachment.size
                try writer.add(name: entry) {
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
