import Foundation
import ZohoModel

/// The access token and recent token requests of one org, shared on disk by every process
/// (`run`, `status`, `plan`) through `<state_dir>/<org>/token.json` (0600, atomic writes), so
/// they share one token and one count against Zoho's 10-per-10-minutes limit.
public struct TokenCache: Codable, Sendable, Equatable {
    /// The cached access token; nil before the first refresh.
    public var accessToken: String?
    /// Unix time the access token stops working.
    public var expiresAt: Double?
    /// Which credentials the token belongs to (``OAuthCredentials/fingerprint``).
    public var credentialsFingerprint: String?
    /// When tokens were requested lately (`token_requests` on disk), shared by every process.
    public var limiter: TokenRequestLimiter

    /// Makes a cache from its parts; the defaults make an empty one.
    public init(accessToken: String? = nil, expiresAt: Double? = nil, credentialsFingerprint: String? = nil,
                limiter: TokenRequestLimiter = TokenRequestLimiter()) {
        self.accessToken = accessToken
        self.expiresAt = expiresAt
        self.credentialsFingerprint = credentialsFingerprint
        self.limiter = limiter
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresAt = "expires_at"
        case credentialsFingerprint = "credentials_fingerprint"
        case limiter = "token_requests"
    }

    /// The token if it belongs to `fingerprint` and lives at least `margin` more seconds.
    public func usableToken(now: Double, fingerprint: String, margin: Double) -> String? {
        guard credentialsFingerprint == fingerprint, let token = accessToken, let expiresAt, expiresAt - margin > now else { return nil }
        return token
    }

    /// Reads the cache; a missing or unreadable file is an empty cache (it is only a cache).
    public static func load(_ path: String) -> TokenCache {
        guard let data = FileManager.default.contents(atPath: path),
              let cache = try? JSONDecoder().decode(TokenCache.self, from: data) else { return TokenCache() }
        return cache
    }

    /// Writes the cache atomically, readable by its owner only.
    public func save(_ path: String) throws(FileError) {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        try AtomicFile.write(data, to: path, permissions: 0o600)
    }
}
