import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix

/// ``HTTPTransport`` over one shared async-http-client `HTTPClient`.
public struct AHCTransport: HTTPTransport {
    public let client: HTTPClient
    /// Answers larger than this are refused (API answers are a few KiB).
    public var maximumBody = 4 << 20

    /// - Parameter client: the process's one client; its owner shuts it down.
    public init(client: HTTPClient) { self.client = client }

    public func send(_ request: HTTPRequest) async throws(TransportFailure) -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let timeout = TimeAmount.nanoseconds(Int64(request.timeout.components.seconds) * 1_000_000_000
            + request.timeout.components.attoseconds / 1_000_000_000)
        var sent = false
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            sent = true
            let body = try await response.body.collect(upTo: maximumBody)
            return HTTPResponse(status: Int(response.status.code),
                                headers: response.headers.map { ($0.name, $0.value) },
                                body: Data(buffer: body))
        } catch {
            throw Self.classify(error, sent: sent)
        }
    }

    /// Whether a failure happened before the request left (safe to repeat even a POST).
    static func classify(_ error: any Error, sent: Bool) -> TransportFailure {
        let text = "\(error)"
        if !sent, let ahc = error as? HTTPClientError,
           ahc == .connectTimeout || ahc == .invalidURL || ahc == .emptyHost {
            return .notSent(text)
        }
        if !sent, error is NIOConnectionError || (error as? IOError)?.errnoCode == ECONNREFUSED {
            return .notSent(text)
        }
        return .lostAfterSending(text)
    }
}
