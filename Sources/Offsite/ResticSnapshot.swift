import Foundation

/// A snapshot as `restic snapshots --json` lists it.
public struct ResticSnapshot: Codable, Sendable, Equatable {
    /// The full id.
    public var id: String
    /// The first 8 characters, as restic shows it.
    public var shortID: String
    /// The `--time` given: the backup's completion time.
    public var time: Date
    /// The host it was made for: the org's name.
    public var hostname: String
    public var tags: [String]
    /// The folders copied (one backup folder).
    public var paths: [String]

    enum CodingKeys: String, CodingKey {
        case id, time, hostname, tags, paths
        case shortID = "short_id"
    }

    public init(id: String, shortID: String, time: Date, hostname: String, tags: [String], paths: [String]) {
        self.id = id
        self.shortID = shortID
        self.time = time
        self.hostname = hostname
        self.tags = tags
        self.paths = paths
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        shortID = try c.decodeIfPresent(String.self, forKey: .shortID) ?? String(id.prefix(8))
        let text = try c.decode(String.self, forKey: .time)
        guard let parsed = Self.parseTime(text) else {
            throw DecodingError.dataCorruptedError(forKey: .time, in: c, debugDescription: "not an RFC 3339 time: \(text)")
        }
        time = parsed
        hostname = try c.decodeIfPresent(String.self, forKey: .hostname) ?? ""
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        paths = try c.decodeIfPresent([String].self, forKey: .paths) ?? []
    }

    /// The value of the tag `key=value`, if the snapshot has one.
    public func tag(_ key: String) -> String? {
        tags.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// The job id of the backup it holds (`job=<id>`).
    public var jobID: String? { tag("job") }
    /// The org it belongs to (`org=<name>`).
    public var org: String? { tag("org") }
    /// The backup folder's name (the last component of its path).
    public var backupName: String? { paths.first.map { URL(fileURLWithPath: $0).lastPathComponent } }

    /// restic writes RFC 3339 with nanoseconds and an offset (`2026-11-20T09:30:05.123456789Z`).
    static func parseTime(_ text: String) -> Date? {
        var base = text, fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let rest = text[text.index(after: dot)...]
            let digits = rest.prefix { $0.isNumber }
            fraction = Double("0." + digits) ?? 0
            base = String(text[..<dot]) + String(rest.dropFirst(digits.count))
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: base).map { $0.addingTimeInterval(fraction) }
    }
}

/// The summary line of `restic backup --json`.
public struct ResticBackupSummary: Codable, Sendable, Equatable {
    /// The snapshot made (short id).
    public var snapshotID: String
    /// Bytes added to the repository (after deduplication and compression).
    public var dataAdded: Int64
    /// Bytes of the files read.
    public var totalBytesProcessed: Int64
    public var filesNew: Int
    public var filesUnmodified: Int

    enum CodingKeys: String, CodingKey {
        case snapshotID = "snapshot_id", dataAdded = "data_added", totalBytesProcessed = "total_bytes_processed"
        case filesNew = "files_new", filesUnmodified = "files_unmodified"
    }

    public init(snapshotID: String, dataAdded: Int64, totalBytesProcessed: Int64, filesNew: Int, filesUnmodified: Int) {
        self.snapshotID = snapshotID
        self.dataAdded = dataAdded
        self.totalBytesProcessed = totalBytesProcessed
        self.filesNew = filesNew
        self.filesUnmodified = filesUnmodified
    }

    /// The summary among `backup --json`'s lines (the last line whose type is `summary`), nil if none.
    public static func find(in output: [UInt8]) -> ResticBackupSummary? {
        let decoder = JSONDecoder()
        for line in output.split(separator: UInt8(ascii: "\n")).reversed() {
            guard line.count < 65_536, let text = String(bytes: line, encoding: .utf8), text.contains("\"summary\"") else { continue }
            if let summary = try? decoder.decode(ResticBackupSummary.self, from: Data(line)) { return summary }
        }
        return nil
    }
}
