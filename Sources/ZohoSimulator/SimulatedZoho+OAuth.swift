import Foundation

extension SimulatedZoho {
    /// `POST /oauth/v2/token`: refresh-token and authorization-code grants, with Zoho's
    /// 10-tokens-per-10-minutes limit. Errors come as `{"error": …}` with HTTP 200, as Zoho
    /// may send them.
    func token(_ r: SimulatedRequest) -> SimulatedResponse {
        let form = r.form
        guard form["client_id"] == config.clientID, form["client_secret"] == config.clientSecret else {
            return .json(200, ["error": "invalid_client"])
        }
        switch form["grant_type"] {
        case "refresh_token":
            guard form["refresh_token"] == config.refreshToken else { return .json(200, ["error": "invalid_code"]) }
        case "authorization_code":
            guard let code = form["code"], code.hasPrefix("1000.") else { return .json(200, ["error": "invalid_code"]) }
        default:
            return .json(200, ["error": "unsupported_grant_type"])
        }
        let now = clock.now
        tokenRequests = tokenRequests.filter { $0 > now - 600 }
        guard tokenRequests.count < 10 else {
            return .json(400, ["error": "access_denied", "error_description": "You have made too many requests continuously. Please try again after some time."])
        }
        tokenRequests.append(now)
        tokenCounter += 1
        let token = String(format: "1000.%032x.%032x", tokenCounter, config.seed &* 2_654_435_761 &+ UInt64(tokenCounter))
        accessTokens[token] = now + Double(config.tokenLifetime.components.seconds)
        // api_domain is this simulator itself: a client that follows it (as Zoho's SDK does) stays here.
        var answer: [String: Any] = ["access_token": token, "api_domain": downloadBase,
                                     "token_type": "Bearer", "expires_in": config.tokenLifetime.components.seconds]
        if form["grant_type"] == "authorization_code" { answer["refresh_token"] = config.refreshToken }
        return .json(200, answer)
    }

    /// nil when the request carries a live token; else Zoho's 401.
    func authorize(_ r: SimulatedRequest) -> SimulatedResponse? {
        guard let header = r.header("Authorization"), header.hasPrefix("Zoho-oauthtoken ") else {
            return .error(401, code: "AUTHENTICATION_FAILURE", message: "Authentication failed", nested: false)
        }
        let token = String(header.dropFirst("Zoho-oauthtoken ".count))
        guard let expiry = accessTokens[token], expiry > clock.now else {
            return .error(401, code: "INVALID_TOKEN", message: "invalid oauth token", nested: false)
        }
        return nil
    }

    /// Makes every access token handed out so far expire now (an "expired token" fault).
    public func expireAllTokens() {
        for key in accessTokens.keys { accessTokens[key] = clock.now }
    }

    /// Access tokens issued so far.
    public var tokensIssued: Int { tokenCounter }
}
