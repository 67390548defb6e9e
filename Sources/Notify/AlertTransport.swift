import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends one request and answers its HTTP status (tests stand in a recorder).
public protocol AlertTransport: Sendable {
    /// The status of `request`'s answer; throws when there is none within `timeout`.
    func send(_ request: AlertRequest, timeout: Duration) async throws -> Int
}

/// Through an AsyncHTTPClient that follows no redirect (the daemon's client, Zoho's): a 3xx
/// comes back as the status it is, and counts as a failure.
public struct HTTPAlertTransport: AlertTransport {
    let client: HTTPClient

    public init(client: HTTPClient) { self.client = client }

    public func send(_ request: AlertRequest, timeout: Duration) async throws -> Int {
        var http = HTTPClientRequest(url: request.url)
        http.method = .RAW(value: request.method)
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { http.headers.add(name: name, value: value) }
        http.headers.add(name: "User-Agent", value: "zoho-crm-backup")
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        let response = try await client.execute(http, timeout: .milliseconds(milliseconds))
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }
}
