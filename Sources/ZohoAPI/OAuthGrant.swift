import Foundation
import ZohoModel

/// `POST {accounts}/oauth/v2/token`: the refresh-token grant (the daemon) and the
/// authorization-code grant (`auth`). The accounts server may answer an error with HTTP
/// 200, so the body decides.
public enum OAuthGrant {
    static func request(form: [(String, String)], accountsURL: String, org: String, operation: ZohoOperation,
                        transport: any HTTPTransport) async throws(ZohoError) -> TokenResponse {
        let body = form.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&")
        let request = HTTPRequest(method: "POST", url: accountsURL + "/oauth/v2/token",
                                  headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                  body: Data(body.utf8), timeout: .seconds(30))
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw ZohoError(kind: .network, org: org, operation: operation, message: "accounts server: \(error.reason)")
        }
        if (200..<300).contains(response.status), let token = try? JSONDecoder().decode(TokenResponse.self, from: response.body) {
            return token
        }
        var error = ZohoEnvelope.error(status: response.status, body: response.body, org: org, operation: operation,
                                       retryAfter: RetryAfter.parse(response.header("Retry-After"), now: Date().timeIntervalSince1970))
        if error.code == nil, (200..<300).contains(response.status) {
            error.kind = .malformedResponse
            error.message = "the accounts server's answer has no access_token"
        }
        throw error
    }

    /// Exchanges a self-client grant code for tokens (the `auth` command).
    public static func exchange(code: String, clientID: String, clientSecret: String, accountsURL: String, org: String,
                                transport: any HTTPTransport) async throws(ZohoError) -> TokenResponse {
        try await request(form: [("grant_type", "authorization_code"), ("client_id", clientID),
                                 ("client_secret", clientSecret), ("code", code)],
                          accountsURL: accountsURL, org: org, operation: .authorize, transport: transport)
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
