import Foundation

/// The accounts server's answer to a token grant.
///
/// Accepts both forms Zoho uses: `expires_in` in seconds, or the legacy pair
/// `expires_in_sec` (seconds) with `expires_in` in milliseconds. A refresh grant returns no
/// new refresh token; an authorization-code grant does.
public struct TokenResponse: Decodable, Sendable, CustomStringConvertible {
    /// The new access token, sent as `Authorization: Zoho-oauthtoken …`.
    public var accessToken: String
    /// A new refresh token; only an authorization-code grant returns one.
    public var refreshToken: String?
    /// The API host Zoho says the org lives on; used only if it is the data centre's own.
    public var apiDomain: String?
    /// Zoho's `token_type` (`Bearer`); read but not used.
    public var tokenType: String?
    /// How long the access token lives.
    public var expiresIn: Duration

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case apiDomain = "api_domain"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case expiresInSec = "expires_in_sec"
    }

    /// Decodes Zoho's answer, `expires_in` as seconds or legacy milliseconds; one hour when absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        accessToken = try c.decode(String.self, forKey: .accessToken)
        refreshToken = try c.decodeIfPresent(String.self, forKey: .refreshToken)
        apiDomain = try c.decodeIfPresent(String.self, forKey: .apiDomain)
        tokenType = try c.decodeIfPresent(String.self, forKey: .tokenType)
        if let seconds = try c.decodeIfPresent(Int64.self, forKey: .expiresInSec) {
            expiresIn = .seconds(seconds)
        } else if let value = try c.decodeIfPresent(Int64.self, forKey: .expiresIn) {
            // Seconds; a value this large can only be the legacy milliseconds.
            expiresIn = value > 86_400 ? .milliseconds(value) : .seconds(value)
        } else {
            expiresIn = .seconds(3_600)
        }
    }

    /// Never shows the tokens.
    public var description: String { "TokenResponse(api_domain: \(apiDomain ?? "-"), expires_in: \(expiresIn))" }
}
