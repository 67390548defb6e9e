import Logging
import ZohoModel

/// How logger metadata becomes journal fields.
///
/// The daemon's structured keys map to fixed fields — `org` → `ZOHO_ORG`, `job_id` →
/// `ZOHO_JOB_ID`, `file` → `ZOHO_FILE`, `message_id` → `MESSAGE_ID` — so operators can
/// query `journalctl ZOHO_ORG=acme`. Any other key becomes `ZOHO_<KEY>` (upper case, other
/// characters as `_`).
public enum LogField {
    public static let orgKey = LogKey.org
    public static let jobIDKey = LogKey.jobID
    public static let fileKey = LogKey.file
    public static let messageIDKey = LogKey.messageID

    /// The journal field name for a metadata key.
    public static func journalName(for key: String) -> String {
        switch key {
        case orgKey: return "ZOHO_ORG"
        case jobIDKey: return "ZOHO_JOB_ID"
        case fileKey: return "ZOHO_FILE"
        case messageIDKey: return "MESSAGE_ID"
        default:
            let cleaned = key.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" }
            return String(("ZOHO_" + String(cleaned)).prefix(64))
        }
    }

    /// The journal's `PRIORITY` (syslog levels) for a swift-log level.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Metadata flattened to text: strings as they are, lists and dictionaries as `[a, b]`/`[k: v]`.
    static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        case .array(let a): "[" + a.map(text).joined(separator: ", ") + "]"
        case .dictionary(let d): "[" + d.sorted { $0.key < $1.key }.map { "\($0.key): \(text($0.value))" }.joined(separator: ", ") + "]"
        }
    }

    /// The handler's, the provider's and the event's metadata, later ones winning.
    static func merged(_ base: Logger.Metadata, _ provider: Logger.MetadataProvider?, _ explicit: Logger.Metadata?) -> Logger.Metadata {
        var all = base
        if let provided = provider?.get() { all.merge(provided) { _, new in new } }
        if let explicit { all.merge(explicit) { _, new in new } }
        return all
    }

    /// A message as a reader of the journal or the demo sees it: prefixed `[org] ` when the
    /// entry names an org (messages themselves do not repeat it; errors that travel to
    /// `status` carry it already and are not prefixed twice).
    public static func withOrg(_ message: String, _ metadata: Logger.Metadata) -> String {
        guard let org = metadata[orgKey].map(text), !message.hasPrefix("[\(org)]") else { return message }
        return "[\(org)] \(message)"
    }

    /// A message without its leading `[org] ` when the entry's context already shows the org.
    static func withoutOrg(_ message: String, _ metadata: Logger.Metadata) -> String {
        guard let org = metadata[orgKey].map(text), message.hasPrefix("[\(org)] ") else { return message }
        return String(message.dropFirst(org.count + 3))
    }
}
