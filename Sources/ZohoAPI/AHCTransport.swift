import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix

/// ``HTTPTransport`` over one shared async-http-client `HTTPClient`.
public struct AHCTransport: HTTPTransport {
    /// The process's one async-http-client client, which requests go through; its owner shuts it down.
    public let client: HTTPClient
    /// Answers larger than this are refused (API answers are a few KiB).
    public var maximumBody = 4 << 20

    /// - Parameter client: the process's one client; its owner shuts it down.
    public init(client: HTTPClient) { self.client = client }

    /// Sends `request` and collects the answer's body, up to ``maximumBody`` bytes.
    public func send(_ request: HTTPRequest) async throws(TransportFailure) -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let timeout = Self.timeAmount(request.timeout)
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

    /// Sends `request` and streams the body to `body` when `accept` says so (see ``HTTPTransport``).
    public func stream(_ request: HTTPRequest, accept: @Sendable (Int, [(String, String)]) -> Bool,
                       body: (UnsafeRawBufferPointer) throws -> Void) async throws -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(outgoing, timeout: Self.timeAmount(request.timeout))
        } catch {
            throw Self.classify(error, sent: false)
        }
        let status = Int(response.status.code)
        let headers = response.headers.map { ($0.name, $0.value) }
        guard accept(status, headers) else {
            let buffer = (try? await response.body.collect(upTo: 64 * 1024)) ?? ByteBuffer()
            return HTTPResponse(status: status, headers: headers, body: Data(buffer: buffer))
        }
        do {
            for try await chunk in response.body {
                try chunk.withUnsafeReadableBytes { raw in try body(raw) }
            }
        } catch let failure as TransportFailure {
            throw failure
        } catch let error where error is HTTPClientError || error is IOError || error is ChannelError {
            throw TransportFailure.lostAfterSending("\(error)")
        }
        return HTTPResponse(status: status, headers: headers, body: Data())
    }

    static func timeAmount(_ d: Duration) -> TimeAmount {
        .nanoseconds(Int64(d.components.seconds) * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
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
