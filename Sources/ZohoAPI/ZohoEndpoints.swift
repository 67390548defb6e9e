/// Where one org's requests go and which download hosts may receive its token.
public struct ZohoEndpoints: Sendable, Equatable {
    /// e.g. `https://accounts.zoho.com`
    public var accounts: String
    /// e.g. `https://www.zohoapis.com`
    public var api: String
    /// `host` or `host:port` entries a download link may point at.
    public var downloadHosts: [String]
    /// The API version in paths; v8 is the same API.
    public var version: String

    /// Makes endpoints from their parts; the API version defaults to v7.
    public init(accounts: String, api: String, downloadHosts: [String], version: String = "v7") {
        self.accounts = accounts
        self.api = api
        self.downloadHosts = downloadHosts
        self.version = version
    }

    var backupBase: String { "\(api)/crm/bulk/\(version)/backup" }
}
