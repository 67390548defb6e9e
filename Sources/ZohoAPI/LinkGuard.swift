import ZohoModel

/// Decides whether a download link may be followed with the org's OAuth token.
///
/// The token goes only to the data centre's download hosts and those the policy lists in
/// `endpoints.download_hosts`, over https (http only on loopback, for the simulator and tests).
/// A link anywhere else is refused and reported; it is never fetched with the token.
public struct LinkGuard: Sendable {
    /// Allowed `host` or `host:port` entries, lower case. An entry without a port allows any port.
    public let allowedHosts: [String]

    /// Makes a guard allowing `allowedHosts` (`host` or `host:port`, any case).
    public init(allowedHosts: [String]) {
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
    }

    /// Why a link was refused.
    public enum Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not a backup part link; carries the URL.
        case malformed(String)
        /// The link's host is not one the org's token may go to.
        case hostNotAllowed(host: String, allowed: [String])
        /// Plain http to a host that is not loopback.
        case insecureScheme(host: String)

        /// The message of the `linkRefused` error: what was refused and what to do (no query string).
        public var description: String {
            switch self {
            case .malformed(let url):
                "the link '\(Self.withoutQuery(url))' is not a backup part link (…/v2/crm/<zgid>/backup/<job-id>/Data_NNN.zip); it was not followed"
            case .hostNotAllowed(let host, let allowed):
                "the link points at \(host), which is not one of the org's download hosts (\(allowed.joined(separator: ", "))); it was not followed with the token. If Zoho really serves backups from there, add it to endpoints.download_hosts"
            case .insecureScheme(let host):
                "the link to \(host) is plain http; only https is followed (http only on loopback)"
            }
        }

        private static func withoutQuery(_ url: String) -> String {
            String(url.prefix { $0 != "?" }.prefix(200))
        }
    }

    /// The parsed link when it may be followed; otherwise the reason it may not.
    public func check(_ url: String) -> Result<DownloadLink, Refusal> {
        guard let link = DownloadLink(url) else { return .failure(.malformed(url)) }
        let allowed = allowedHosts.contains(link.hostAndPort) || allowedHosts.contains(link.host)
        guard allowed else { return .failure(.hostNotAllowed(host: link.hostAndPort, allowed: allowedHosts)) }
        guard link.scheme == "https" || Loopback.contains(link.host) else { return .failure(.insecureScheme(host: link.host)) }
        return .success(link)
    }
}
