import AsyncHTTPClient
import Policy
import ZohoAPI

/// `auth`'s one exchange with Zoho: a self-client grant code for a refresh token.
public enum Authorization {
    /// Exchanges `code` at the org's accounts server.
    /// - Returns: the refresh token; nil when Zoho gave none (a code used twice, say).
    /// - Throws: Zoho's error, whose description names the org and what to do.
    public static func refreshToken(code: String, clientID: String, clientSecret: String, for org: OrgPolicy) async throws -> String? {
        let token = try await OAuthGrant.exchange(code: code, clientID: clientID, clientSecret: clientSecret,
                                                  accountsURL: org.endpoints.accounts, org: org.name,
                                                  transport: AHCTransport(client: ZohoHTTPClient.shared))
        return token.refreshToken
    }
}
