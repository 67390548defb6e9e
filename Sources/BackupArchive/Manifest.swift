import Foundation
import ZohoModel

/// `manifest.json` of an archived backup: what it is and how it was verified. Retention
/// and `list` touch only folders that carry one.
public struct Manifest: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public var name: String
        /// `data` or `attachments`.
        public var kind: String
        public var size: Int64
        public var sha256: String
        public var entries: Int
        public var uncompressedBytes: Int64
        public var verifiedAt: Date

        enum CodingKeys: String, CodingKey {
            case name, kind, size, sha256, entries
            case uncompressedBytes = "uncompressed_bytes"
            case verifiedAt = "verified_at"
        }
    }

    public var tool: String
    public var toolVersion: String
    public var format: Int
    public var org: String
    public var jobID: String
    public var zgid: String?
    /// When the daemon first saw the backup's links.
    public var completedAt: Date
    /// Zoho's `log_time` of the matching history entry.
    public var zohoLogTime: Date?
    public var rrule: String?
    public var linksExpiry: Date?
    public var committedAt: Date
    public var files: [File]

    enum CodingKeys: String, CodingKey {
        case tool, format, org, rrule, files
        case toolVersion = "tool_version"
        case jobID = "job_id"
        case zgid
        case completedAt = "completed_at"
        case zohoLogTime = "zoho_log_time"
        case linksExpiry = "links_expiry"
        case committedAt = "committed_at"
    }

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
