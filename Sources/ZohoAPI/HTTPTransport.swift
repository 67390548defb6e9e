import Foundation

/// One HTTP request, as the client builds it.
public struct HTTPRequest: Sendable {
    /// The HTTP method: `GET`, `POST` or `PUT`.
    public var method: String
    /// The full URL, query included.
    public var url: String
    /// Header names and values, in order; a name may repeat.
    public var headers: [(String, String)]
    /// The body to send; nil for none.
    public var body: Data?
    /// The whole exchange must finish within this (downloads use a read timeout instead).
    public var timeout: Duration

    /// Makes a request from its parts; the timeout defaults to 60 seconds.
    public init(method: String, url: String, headers: [(String, String)] = [], body: Data? = nil, timeout: Duration = .seconds(60)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// An answer with its body read whole (API answers are small).
public struct HTTPResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Header names and values as received; look one up with ``header(_:)``.
    public var headers: [(String, String)]
    /// The body (empty for a streamed answer the caller accepted; at most 64 KiB of one it refused).
    public var body: Data

    /// Makes a response from its parts.
    public init(status: Int, headers: [(String, String)], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// A request that got no answer.
public enum TransportFailure: Error, Sendable, Equatable {
    /// Failed before the request was sent: refused, DNS, connect timeout.
    case notSent(String)
    /// Failed after it may have been sent: reset, read timeout, cut-off answer.
    case lostAfterSending(String)

    /// The underlying error's text, for ``ZohoError/message`` and logs.
    public var reason: String {
        switch self {
        case .notSent(let r), .lostAfterSending(let r): r
        }
    }
}

/// Where requests go: async-http-client in production (``AHCTransport``).
public protocol HTTPTransport: Sendable {
    /// Sends `request` and reads the whole answer.
    func send(_ request: HTTPRequest) async throws(TransportFailure) -> HTTPResponse

    /// Sends `request` and hands the answer's body to `body` piece by piece as it arrives,
    /// when `accept` (given status and headers) says so; otherwise reads up to 64 KiB of it
    /// (an error answer) into the returned response.
    ///
    /// - Throws: ``TransportFailure`` when the connection fails or goes quiet for longer
    ///   than the client's read timeout; the bytes handed over so far are what arrived.
    func stream(_ request: HTTPRequest, accept: @Sendable (Int, [(String, String)]) -> Bool,
                body: (UnsafeRawBufferPointer) throws -> Void) async throws -> HTTPResponse
}
