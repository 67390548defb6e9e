import Foundation

/// A request as the simulator sees it (method, path, query, headers, body).
public struct SimulatedRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var headers: [(String, String)]
    public var body: Data

    public init(method: String, uri: String, headers: [(String, String)], body: Data) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts.first ?? "")
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
                query[key] = kv.count == 2 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[1])) : ""
            }
        }
        self.query = query
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// Form fields of an `application/x-www-form-urlencoded` body, merged over the query.
    var form: [String: String] {
        var fields = query
        for (k, v) in SimulatedRequest(method: "", uri: "?" + String(decoding: body, as: UTF8.self), headers: [], body: Data()).query {
            fields[k] = v
        }
        return fields
    }
}

/// The simulator's answer: status, headers and a body (whole, or a file range to stream).
public struct SimulatedResponse: Sendable {
    public enum Body: Sendable {
        case bytes(Data)
        /// `length` bytes of the file at `path` from `offset`.
        case file(path: String, offset: Int64, length: Int64)
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: Body

    public init(status: Int, headers: [(String, String)] = [], body: Body = .bytes(Data())) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ status: Int, _ object: Any) -> SimulatedResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return SimulatedResponse(status: status, headers: [("Content-Type", "application/json;charset=UTF-8")], body: .bytes(data))
    }

    static func json<T: Encodable>(_ status: Int, encodable: T, zone: TimeZone) -> SimulatedResponse {
        let encoder = JSONEncoder()
        encoder.userInfo[.zohoTimeZone] = zone
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(encodable)) ?? Data()
        return SimulatedResponse(status: status, headers: [("Content-Type", "application/json;charset=UTF-8")], body: .bytes(data))
    }

    static let noContent = SimulatedResponse(status: 204)

    /// Zoho's error object, top level or nested under `backup`.
    static func error(_ status: Int, code: String, message: String, details: [String: Any] = [:], nested: Bool) -> SimulatedResponse {
        let object: [String: Any] = ["code": code, "details": details, "message": message, "status": "error"]
        let body: [String: Any] = nested ? ["backup": object] : object
        return json(status, body)
    }
}
