import AsyncHTTPClient
import Foundation

/// Whether a restic REST repository (`rest:http(s)://…`, such as `rclone serve restic
/// --append-only` or rest-server `--append-only`) refuses deletions: one `DELETE` of a
/// snapshot that does not exist — 403 when deletes are refused, 404 when they are allowed.
/// restic itself would retry a refused delete for about 44 s before it says so.
enum AppendOnlyProbe {
    /// True when deletes are refused, false when allowed, nil when the answer says neither
    /// (not a REST repository, unreachable, another status).
    static func refusesDeletes(_ repository: String, http: HTTPClient) async -> Bool? {
        guard repository.hasPrefix("rest:"), var url = URL(string: String(repository.dropFirst("rest:".count))) else { return nil }
        var authorization: String?
        if let user = url.user {
            authorization = "Basic " + Data("\(user):\(url.password ?? "")".utf8).base64EncodedString()
            var parts = URLComponents(url: url, resolvingAgainstBaseURL: false)
            parts?.user = nil
            parts?.password = nil
            url = parts?.url ?? url
        }
        let base = url.absoluteString.hasSuffix("/") ? String(url.absoluteString.dropLast()) : url.absoluteString
        var request = HTTPClientRequest(url: base + "/snapshots/" + String(repeating: "0", count: 64))
        request.method = .DELETE
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        do {
            let response = try await http.execute(request, timeout: .seconds(15))
            switch response.status.code {
            case 403: return true
            case 200, 204, 404: return false
            default: return nil
            }
        } catch {
            return nil
        }
    }
}
