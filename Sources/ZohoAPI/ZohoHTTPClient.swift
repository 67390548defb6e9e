import AsyncHTTPClient
import NIOSSL

/// The process's one HTTP client for Zoho.
///
/// Unlike `HTTPClient.shared` it never follows a redirect (async-http-client would carry the
/// `Authorization` header to wherever Zoho's answer points, and a download link's host is
/// checked against the allow-list *before* the token is sent — a redirect would skip that
/// check) and never decompresses a body (parts are archived byte for byte as Zoho served them).
/// A stalled connection fails after 2 minutes without a byte; the download resumes from there.
public enum ZohoHTTPClient {
    /// Full TLS checks with TLS 1.2 at least, no redirects, no decompression; 30 s to connect,
    /// 120 s without a byte.
    public static let configuration: HTTPClient.Configuration = {
        var configuration = HTTPClient.Configuration(
            certificateVerification: .fullVerification,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(30), read: .seconds(120)),
            connectionPool: .seconds(60),
            proxy: nil,
            ignoreUncleanSSLShutdown: false,
            decompression: .disabled,
            backgroundActivityLogger: nil)
        configuration.tlsConfiguration = tls
        return configuration
    }()

    /// Certificates and host names checked in full; TLS 1.0 and 1.1 refused (the library's
    /// default minimum would accept them).
    public static let tls: TLSConfiguration = {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        tls.minimumTLSVersion = .tlsv12
        return tls
    }()

    /// Lives as long as the process; never shut down (like `HTTPClient.shared`).
    public static let shared = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}
