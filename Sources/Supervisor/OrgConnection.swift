import AsyncHTTPClient
import Logging
import Policy
import ZohoAPI
import ZohoModel

/// Builds the Zoho client of one org from its policy and credentials: the endpoints of its
/// data centre (or its `endpoints:`), the token cache in `<state_dir>/<org>/`.
public enum OrgConnection {
    /// The client for `org`, talking through `http` (the process's one `HTTPClient`).
    public static func client(for org: OrgPolicy, credentials: Credentials, stateDir: String, http: HTTPClient,
                              clock: any WallClock = SystemWallClock(), logger: Logger) -> ZohoClient {
        let transport = AHCTransport(client: http)
        let oauth = OAuthCredentials(clientID: credentials.clientID, clientSecret: credentials.clientSecret,
                                     refreshToken: credentials.refreshToken)
        let tokens = TokenProvider(org: org.name, credentials: oauth, accountsURL: org.endpoints.accounts,
                                   cacheDirectory: "\(stateDir)/\(org.name)", transport: transport, clock: clock, logger: logger)
        return ZohoClient(org: org.name, endpoints: endpoints(of: org), tokens: tokens, transport: transport,
                          clock: clock, logger: logger)
    }

    /// The client's view of an org's hosts.
    public static func endpoints(of org: OrgPolicy) -> ZohoEndpoints {
        ZohoEndpoints(accounts: org.endpoints.accounts, api: org.endpoints.api, downloadHosts: org.endpoints.downloadHosts)
    }
}
