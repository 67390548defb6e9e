/// Zoho's status object: the answer to a schedule or cancel (`code` SUCCESS), and every
/// error (`status` error). Backup errors come nested (`{"backup": {…}}`), generic ones at
/// the top level; ``ZohoEnvelope`` reads both.
public struct ActionResponse: Codable, Hashable, Sendable {
    public var code: String
    public var status: String?
    public var message: String?
    /// `id` (a job), `api_name`/`json_path` (invalid data), `permissions` … kept as text.
    public var details: [String: JSONValue]

    public init(code: String, status: String?, message: String?, details: [String: JSONValue] = [:]) {
        self.code = code
        self.status = status
        self.message = message
        self.details = details
    }

    enum CodingKeys: String, CodingKey { case code, status, message, details }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        details = (try? c.decodeIfPresent([String: JSONValue].self, forKey: .details)) ?? [:]
    }

    /// `details.id` as text (Zoho sends a string; an SDK may send a number).
    public var detailID: String? { details["id"]?.text }
}

/// The `{"backup": …}` wrapper of POST, cancel and GET answers.
public struct BackupWrapper<T: Codable & Sendable>: Codable, Sendable {
    public var backup: T
    public init(backup: T) { self.backup = backup }
}

/// The `{"urls": …}` wrapper of `/backup/urls`.
public struct URLsWrapper: Codable, Sendable {
    public var urls: BackupURLs
    public init(urls: BackupURLs) { self.urls = urls }
}

/// Any JSON value, for the free-form `details` of Zoho's status objects.
public enum JSONValue: Codable, Hashable, Sendable {
    case string(String), number(Double), bool(Bool), null
    case array([JSONValue]), object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let n): try c.encode(n)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Strings as they are, whole numbers without a fraction, lists joined by commas.
    public var text: String? {
        switch self {
        case .string(let s): s
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b): String(b)
        case .null, .object: nil
        case .array(let a): a.compactMap(\.text).joined(separator: ",")
        }
    }
}
