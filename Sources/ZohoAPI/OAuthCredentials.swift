import Crypto
import Foundation

/// The client and refresh token the accounts server knows an org by.
///
/// - Important: `description` never shows a secret.
public struct OAuthCredentials: Sendable, CustomStringConvertible {
    /// The OAuth client id from Zoho's API console.
    public var clientID: String
    /// The client's secret; never logged.
    public var clientSecret: String
    /// The long-lived refresh token the `auth` command obtained.
    public var refreshToken: String

    /// Makes credentials from their parts.
    public init(clientID: String, clientSecret: String, refreshToken: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.refreshToken = refreshToken
    }

    /// A short one-way fingerprint, so a cached access token is not reused after the
    /// credentials change. Reveals nothing usable about the secrets.
    public var fingerprint: String {
        let digest = SHA256.hash(data: Data("\(clientID)\n\(refreshToken)".utf8))
        return digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Shows only the ``fingerprint``, so logging credentials leaks no secret.
    public var description: String { "OAuthCredentials(fingerprint: \(fingerprint))" }
}
