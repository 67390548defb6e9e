import Foundation
import Logging
import ZohoModel

/// Hands out the org's access token: the cached one while it lives (until 5 minutes before
/// `expires_in`), else a new one from the refresh-token grant.
///
/// Token requests stay under Zoho's 10 per 10 minutes: when the next would exceed it, the
/// provider waits on the injected clock and says so in the log. With a cache folder, refreshes
/// are serialised across processes by `token.lock` and the cache is re-read under it, so two
/// processes never both refresh.
public actor TokenProvider {
    /// The org whose token this is, for errors and log lines.
    public let org: String
    private let credentials: OAuthCredentials
    private let accountsURL: String
    private let cacheDirectory: String?
    private let transport: any HTTPTransport
    private let clock: any WallClock
    private let logger: Logger
    /// Refresh when the token has less than this left.
    public static let margin: Double = 300
    private var memory = TokenCache()

    /// Makes the org's provider; `cacheDirectory` (`<state_dir>/<org>`) holds `token.json` and `token.lock`, nil keeps the token in memory only.
    public init(org: String, credentials: OAuthCredentials, accountsURL: String, cacheDirectory: String?,
                transport: any HTTPTransport, clock: any WallClock, logger: Logger) {
        self.org = org
        self.credentials = credentials
        self.accountsURL = accountsURL
        self.cacheDirectory = cacheDirectory
        self.transport = transport
        self.clock = clock
        self.logger = logger
    }

    private var cachePath: String? { cacheDirectory.map { $0 + "/token.json" } }

    /// A live access token.
    public func accessToken() async throws(ZohoError) -> String {
        if let token = currentCache().usableToken(now: clock.now, fingerprint: credentials.fingerprint, margin: Self.margin) {
            return token
        }
        return try await refresh(rejected: nil)
    }

    /// Drops `token` (Zoho refused it) and gets another, unless another caller already did.
    public func replace(rejected token: String) async throws(ZohoError) -> String {
        try await refresh(rejected: token)
    }

    private func currentCache() -> TokenCache {
        if let path = cachePath { memory = TokenCache.load(path) }
        return memory
    }

    private func refresh(rejected: String?) async throws(ZohoError) -> String {
        var lock: FileLock?
        if let dir = cacheDirectory {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                lock = try await FileLock.acquire(dir + "/token.lock", timeout: .seconds(120), clock: ContinuousClock())
            } catch {
                throw ZohoError(kind: .network, org: org, operation: .token, message: "cannot use the token cache in \(dir): \(error)")
            }
            guard lock != nil else {
                throw ZohoError(kind: .tokenLimit, org: org, operation: .token, message: "another process held \(dir)/token.lock for 2 minutes")
            }
        }
        defer { lock?.unlock() }

        var cache = currentCache()
        if let token = cache.usableToken(now: clock.now, fingerprint: credentials.fingerprint, margin: Self.margin), token != rejected {
            return token  // another process or task refreshed meanwhile
        }
        let wait = cache.limiter.earliestRequest(now: clock.now) - clock.now
        if wait > 0 {
            logger.warning("Zoho allows 10 access tokens per 10 minutes; waiting \(Int(wait.rounded(.up)))s before asking for another",
                           metadata: [LogKey.org: "\(org)"])
            do { try await clock.sleep(for: .seconds(wait)) } catch {
                throw ZohoError(kind: .tokenLimit, org: org, operation: .token, message: "cancelled while waiting for the token limit")
            }
        }
        cache.limiter.record(now: clock.now)
        let requestedAt = clock.now
        defer { save(cache) }  // the request counts against the limit even when it fails

        let form = [("grant_type", "refresh_token"), ("client_id", credentials.clientID),
                    ("client_secret", credentials.clientSecret), ("refresh_token", credentials.refreshToken)]
        let token = try await OAuthGrant.request(form: form, accountsURL: accountsURL, org: org,
                                                 operation: .token, transport: transport)
        cache.accessToken = token.accessToken
        cache.expiresAt = requestedAt + Double(token.expiresIn.components.seconds)
        cache.credentialsFingerprint = credentials.fingerprint
        logger.debug("new access token", metadata: [LogKey.org: "\(org)", "expires_in": "\(token.expiresIn.components.seconds)s"])
        return token.accessToken
    }

    private func save(_ cache: TokenCache) {
        memory = cache
        guard let path = cachePath else { return }
        do { try cache.save(path) } catch {
            logger.warning("cannot write the token cache: \(error)", metadata: [LogKey.org: "\(org)"])
        }
    }
}
