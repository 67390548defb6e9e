import Foundation
import ZohoModel

/// A fault the simulator injects into the next matching request(s).
public struct Fault: Sendable {
    /// What goes wrong.
    public enum Kind: Sendable, Equatable {
        /// Answer with this status and Zoho error `code` (top level), and `Retry-After` if given.
        case status(Int, code: String, retryAfter: String?)
        /// Close the connection without answering (after reading the request).
        case reset
        /// Send only the first `bytes` of the body, then close.
        case truncate(bytes: Int)
        /// Flip one byte of the body at `offset`.
        case flipByte(offset: Int)
        /// Send the body in small pieces with `delay` between them.
        case slowBody(delay: Duration)
        /// Send the head, then nothing: the client must time out.
        case stall
        /// Answer 204 where a body was expected.
        case noContent
        /// Answer a ranged download with the whole file (200), as a server that ignores `Range`.
        case ignoreRange
        /// Answer 302 with `Location:` this URL (a client must not follow it with the token).
        case redirect(String)
        /// Send the answer with this status (nil: as made) and this header set to `value`
        /// (after the server's own: `Content-Length: 9223372036854775807`, say), the body as made.
        case rewriteHead(status: Int?, header: String, value: String)
    }

    public var kind: Kind
    /// Requests whose method is this (nil: any).
    public var method: String?
    /// Requests whose path contains this.
    public var pathContains: String
    /// How many requests it applies to.
    public var times: Int

    public init(_ kind: Kind, method: String? = nil, pathContains: String, times: Int = 1) {
        self.kind = kind
        self.method = method
        self.pathContains = pathContains
        self.times = times
    }
}

extension SimulatedZoho {
    /// Adds a fault for the next matching requests.
    public func inject(_ fault: Fault) { faults.append(fault) }

    /// Removes every fault not used up yet.
    public func clearFaults() { faults.removeAll() }

    /// Whether the next matching download ignores its `Range` (used up as it applies).
    func takeIgnoreRange(for request: SimulatedRequest) -> Bool {
        guard let index = faults.firstIndex(where: { Self.matches($0, request) && $0.kind == .ignoreRange }) else { return false }
        _ = use(index)
        return true
    }

    /// The transport-level fault for `request` (used up as it applies), if any.
    func takeTransportFault(for request: SimulatedRequest) -> Fault.Kind? {
        guard let index = faults.firstIndex(where: { Self.matches($0, request) && !Self.isAnswerFault($0.kind) && $0.kind != .ignoreRange }) else { return nil }
        return use(index)
    }

    /// An answer-level fault (status, 204) for `request`, if any.
    func fault(for request: SimulatedRequest) -> SimulatedResponse? {
        guard let index = faults.firstIndex(where: { Self.matches($0, request) && Self.isAnswerFault($0.kind) }) else { return nil }
        switch use(index) {
        case .status(let status, let code, let retryAfter):
            var response = SimulatedResponse.error(status, code: code, message: code.replacingOccurrences(of: "_", with: " ").lowercased(), nested: false)
            if let retryAfter { response.headers.append(("Retry-After", retryAfter)) }
            return response
        case .redirect(let location):
            return SimulatedResponse(status: 302, headers: [("Location", location)])
        default:
            return .noContent
        }
    }

    private func use(_ index: Int) -> Fault.Kind {
        let kind = faults[index].kind
        faults[index].times -= 1
        if faults[index].times <= 0 { faults.remove(at: index) }
        return kind
    }

    static func matches(_ fault: Fault, _ request: SimulatedRequest) -> Bool {
        (fault.method == nil || fault.method == request.method) && request.path.contains(fault.pathContains)
    }

    static func isAnswerFault(_ kind: Fault.Kind) -> Bool {
        switch kind {
        case .status, .noContent, .redirect: true
        case .ignoreRange, .reset, .truncate, .flipByte, .slowBody, .stall, .rewriteHead: false
        }
    }
}

extension Fault {
    /// Parses the command line's `KIND@PATH[*TIMES]`: `reset@Data_002.zip`, `truncate=4096@Data_001.zip*2`,
    /// `flip=100@Data_001.zip`, `slow=50ms@Attachments_001.zip`, `stall@/backup/urls`, `nocontent@/backup/urls`,
    /// `ignore-range@Data_001.zip`, `redirect=http://elsewhere/x@Data_001.zip`, `status=429,TOO_MANY_REQUESTS,2@/backup` (HTTP status, Zoho code, Retry-After).
    /// - Returns: nil when the text is not such a fault.
    public static func parse(_ text: String) -> Fault? {
        let halves = text.split(separator: "@", maxSplits: 1).map(String.init)
        guard halves.count == 2 else { return nil }
        var target = halves[1]
        var times = 1
        if let star = target.lastIndex(of: "*") {
            guard let n = Int(target[target.index(after: star)...]), n > 0 else { return nil }
            times = n
            target = String(target[..<star])
        }
        guard !target.isEmpty else { return nil }
        let spec = halves[0].split(separator: "=", maxSplits: 1).map(String.init)
        let argument = spec.count > 1 ? spec[1] : nil
        let kind: Kind
        switch (spec[0], argument) {
        case ("reset", nil): kind = .reset
        case ("stall", nil): kind = .stall
        case ("nocontent", nil): kind = .noContent
        case ("ignore-range", nil): kind = .ignoreRange
        case ("redirect", let url?): kind = .redirect(url)
        case ("truncate", let n?): guard let bytes = Int(n), bytes >= 0 else { return nil }; kind = .truncate(bytes: bytes)
        case ("flip", let n?): guard let offset = Int(n), offset >= 0 else { return nil }; kind = .flipByte(offset: offset)
        case ("slow", let d?): guard let delay = TimeSpan.parse(d) else { return nil }; kind = .slowBody(delay: delay)
        case ("status", let s?):
            let fields = s.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard let status = Int(fields[0]), (100...599).contains(status) else { return nil }
            let code = fields.count > 1 && !fields[1].isEmpty ? fields[1] : "INTERNAL_ERROR"
            kind = .status(status, code: code, retryAfter: fields.count > 2 ? fields[2] : nil)
        default: return nil
        }
        return Fault(kind, pathContains: target, times: times)
    }
}
