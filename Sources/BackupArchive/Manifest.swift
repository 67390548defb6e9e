import Foundation
import ZohoModel

/// `manifest.json` of an archived backup: what it is and how it was verified. Retention
/// and `list` touch only folders that carry one.
///
/// Format 2 (this release) adds `kind` and records as `rrule` the rule of the job that made
/// the backup (null for a one-off); format 1 had no `kind`, took `rrule` from whatever Zoho
/// showed when the download began, and carried a `zoho_log_time` that was never filled.
/// Every reader accepts both: a format-1 manifest reads with `kind` nil.
public struct Manifest: Codable, Sendable, Equatable {
    /// The format this release writes.
    public static let currentFormat = 2

    /// One part of the backup as verified: its size, hash and what its zip holds.
    public struct File: Codable, Sendable, Equatable {
        /// The part's file name in the backup folder (`Data_001.zip`, …).
        public var name: String
        /// `data` or `attachments`.
        public var kind: String
        /// The part's size in bytes, as downloaded.
        public var size: Int64
        /// The part's SHA-256 in lower-case hex, as in `SHA256SUMS`.
        public var sha256: String
        /// The number of entries in the part's zip.
        public var entries: Int
        /// What the part's entries inflate to, in bytes, all together.
        public var uncompressedBytes: Int64
        /// When the part passed verification (whole seconds, on the archive's clock).
        public var verifiedAt: Date

        enum CodingKeys: String, CodingKey {
            case name, kind, size, sha256, entries
            case uncompressedBytes = "uncompressed_bytes"
            case verifiedAt = "verified_at"
        }
    }

    /// The tool that wrote the manifest (`zoho-crm-backup`); a folder with another's is not ours.
    public var tool: String
    /// The version of the tool that wrote it.
    public var toolVersion: String
    /// The manifest's format: 1, or 2 (``currentFormat``).
    public var format: Int
    /// The org the backup belongs to.
    public var org: String
    /// Zoho's id of the backup job.
    public var jobID: String
    /// Zoho's org id from the links' path; nil when unknown.
    public var zgid: String?
    /// When the daemon first saw the backup's links.
    public var completedAt: Date
    /// The rule of the schedule that made the backup; nil for a one-off (and unknown ones).
    public var rrule: String?
    /// What made it: `recurring` or `one-off`; nil in format 1.
    public var kind: BackupKind?
    /// When the backup's links stop(ped) working; nil when Zoho gave no date.
    public var linksExpiry: Date?
    /// When the backup was committed into the archive (whole seconds).
    public var committedAt: Date
    /// Every part of the backup, in the order downloaded.
    public var files: [File]

    enum CodingKeys: String, CodingKey {
        case tool, format, org, rrule, kind, files
        case toolVersion = "tool_version"
        case jobID = "job_id"
        case zgid
        case completedAt = "completed_at"
        case linksExpiry = "links_expiry"
        case committedAt = "committed_at"
    }

    /// The backup's size on disk: its parts' bytes added up.
    public var totalSize: Int64 { files.reduce(0) { $0 + $1.size } }

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }

    /// Reads `<folder>/manifest.json`; nil when absent or not this tool's.
    public static func read(folder: String) -> Manifest? {
        guard let data = FileManager.default.contents(atPath: folder + "/manifest.json"),
              let manifest = try? decoder.decode(Manifest.self, from: data), manifest.tool == ToolInfo.name else { return nil }
        return manifest
    }
}
