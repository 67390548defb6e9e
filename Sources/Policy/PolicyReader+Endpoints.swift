import Foundation
import Yams
import ZohoModel

extension PolicyReader {
    /// The org's hosts: the data centre's, with `endpoints:` overrides. Nil when reported.
    mutating func readEndpoints(_ node: Node?, dataCenter: DataCenter) -> Endpoints? {
        var result = Endpoints(accounts: dataCenter.accountsURL, api: dataCenter.apiURL,
                               downloadHosts: dataCenter.downloadHosts)
        guard let node else { return result }
        guard let entries = mapping(node, at: "endpoints", allowed: ["accounts", "api", "download_hosts"]) else { return nil }
        var ok = true
        for entry in entries {
            switch entry.key {
            case "accounts":
                if let url = baseURL(entry.value, at: "endpoints.accounts") { result.accounts = url } else { ok = false }
            case "api":
                if let url = baseURL(entry.value, at: "endpoints.api") { result.api = url } else { ok = false }
            default:
                guard case .sequence(let list) = entry.value else {
                    report(entry.value, "endpoints.download_hosts: expected a list of host names, e.g. [download-accl.zoho.com], got \(entry.value.kindDescription)")
                    ok = false
                    continue
                }
                for item in list {
                    guard let host = string(item, at: "endpoints.download_hosts") else { ok = false; continue }
                    guard Self.isHostAndPort(host) else {
                        report(item, "endpoints.download_hosts: '\(host)' must be a host name, optionally with :port (no scheme, no path)")
                        ok = false
                        continue
                    }
                    if !result.downloadHosts.contains(host.lowercased()) { result.downloadHosts.append(host.lowercased()) }
                }
            }
        }
        return ok ? result : nil
    }

    /// An `https` URL, or `http` on a loopback host; no credentials, query or fragment.
    private mutating func baseURL(_ node: Node, at path: String) -> String? {
        guard let text = string(node, at: path) else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else {
            report(node, "\(path): '\(text)' is not a URL such as https://accounts.zoho.com")
            return nil
        }
        guard components.user == nil, components.password == nil, components.query == nil, components.fragment == nil else {
            report(node, "\(path): must not carry a user, password, query or fragment")
            return nil
        }
        switch scheme {
        case "https":
            break
        case "http" where Loopback.contains(host):
            break
        case "http":
            report(node, "\(path): http is allowed only on loopback (127.0.0.1, ::1, localhost); use https for \(host)")
            return nil
        default:
            report(node, "\(path): the scheme must be https, got \(scheme)")
            return nil
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    static func isHostAndPort(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let host = parts.first, !host.isEmpty, host.count <= 253 else { return false }
        if parts.count == 2, !(UInt16(parts[1]).map { $0 > 0 } ?? false) { return false }
        return host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
            && !host.hasPrefix(".") && !host.hasPrefix("-")
    }
}
