/// One of Zoho's nine data centres, with the hosts an org there talks to.
///
/// Sources: Zoho's multi-DC pages and the official CRM SDK's data-centre classes
/// (`../shared/zoho-api-notes.md`, "Data centres"). UK's API host comes from third-party code
/// only; an org can override any host with the policy's `endpoints:`.
public enum DataCenter: String, CaseIterable, Hashable, Sendable, Codable {
    case us, eu, `in`, au, jp, ca, cn, sa, uk

    /// The Zoho domain of the data centre: `zoho.com`, `zoho.eu`, …, `zohocloud.ca`.
    public var domain: String {
        switch self {
        case .us: "zoho.com"
        case .eu: "zoho.eu"
        case .in: "zoho.in"
        case .au: "zoho.com.au"
        case .jp: "zoho.jp"
        case .ca: "zohocloud.ca"
        case .cn: "zoho.com.cn"
        case .sa: "zoho.sa"
        case .uk: "zoho.uk"
        }
    }

    /// The accounts server that issues OAuth tokens, e.g. `https://accounts.zoho.com`.
    public var accountsURL: String { "https://accounts.\(domain)" }

    /// The CRM API host, e.g. `https://www.zohoapis.com`.
    public var apiURL: String {
        switch self {
        case .us: "https://www.zohoapis.com"
        case .eu: "https://www.zohoapis.eu"
        case .in: "https://www.zohoapis.in"
        case .au: "https://www.zohoapis.com.au"
        case .jp: "https://www.zohoapis.jp"
        case .ca: "https://www.zohoapis.ca"
        case .cn: "https://www.zohoapis.com.cn"
        case .sa: "https://www.zohoapis.sa"
        case .uk: "https://www.zohoapis.uk"
        }
    }

    /// The hosts backup download links may point at: `download-accl.` and `download.` plus
    /// the data centre's domain. The OAuth token is sent to no other download host.
    public var downloadHosts: [String] { ["download-accl.\(domain)", "download.\(domain)"] }
}
