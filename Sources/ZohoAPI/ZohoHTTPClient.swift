import AsyncHTTPClient

/// The process's one HTTP client for Zoho.
///
/// Unlike `HTTPClient.shared` it never follows a redirect (async-http-client would carry the
/// `Authorization` header to wherever Zoho's answer points, and a download link's host is
/// checked against the allow-list *before* the token is sent — a redirect would skip that
/// check) and never decompresses a body (parts are archived byte for byte as Zoho served them).
/// A stalled connection fails after 2 minutes without a byte; the download resumes from there.
public enum ZohoHTTPClient {
    /// Full TLS checks, no redirects, no decompression; 30 s to connect, 120 s without a byte.
    public static let configuration = HTTPClient.Configuration(
        certificateVerification: .fullVerification,
        redirectConfiguration: .disallow,
        timeout: .init(connect: .seconds(30), read: .seconds(120)),
        connectionPool: .seconds(60),
        proxy: nil,
        ignoreUncleanSSLShutdown: false,
        decompression: .disabled,
        backgroundActivityLogger: nil)

    /// Lives as long as the process; never shut down (like `HTTPClient.shared`).
    public static let shared = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}
