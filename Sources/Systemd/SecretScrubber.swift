import Foundation

/// Defence in depth: masks anything shaped like a Zoho token or secret before a log line is
/// written. The daemon never logs secrets on purpose; this catches one that slips into an
/// error message from elsewhere (a library, a server's echo).
public enum SecretScrubber {
    private static let patterns: [NSRegularExpression] = [
        // Zoho access and refresh tokens: 1000.<hex>.<hex>
        #"1000\.[0-9a-fA-F]{16,}\.[0-9a-fA-F]{16,}"#,
        // Authorization header values
        #"(?i)(Zoho-oauthtoken|Bearer)\s+[^\s"',;]+"#,
        // form or JSON fields carrying secrets
        #"(?i)("?(client_secret|refresh_token|access_token|code)"?\s*[=:]\s*"?)[^\s"&,}]+"#,
        // a password in a URL (a restic REST or S3 repository): scheme://user:password@host
        #"(://[^\s/:@]+:)[^\s/]*@"#,
        // cloud keys in KEY=VALUE form (restic's environment secret)
        #"(?i)((SECRET_ACCESS_KEY|SESSION_TOKEN|_PASSWORD|_ACCOUNT_KEY|_KEY)\s*=\s*)[^\s"&,}]+"#,
        // alert URLs whose path is the token: Slack and Discord webhooks, healthchecks pings
        #"(?i)(https?://(hooks\.slack\.com|hc-ping\.com|discord(app)?\.com/api/webhooks)/)[^\s"'<>]+"#,
    ].compactMap { try? NSRegularExpression(pattern: $0) }

    /// `text` with every secret-shaped run replaced by `<redacted>`.
    public static func scrub(_ text: String) -> String {
        guard text.contains("1000.") || text.contains("@")
                || text.range(of: "oauthtoken|bearer|secret|token|code|_key|password|hooks\\.slack|hc-ping|discord", options: [.regularExpression, .caseInsensitive]) != nil else {
            return text
        }
        var result = text
        for (index, pattern) in patterns.enumerated() {
            let range = NSRange(result.startIndex..., in: result)
            let template = index == 0 ? "<redacted>" : index == 1 ? "$1 <redacted>" : index == 3 ? "$1<redacted>@" : "$1<redacted>"
            result = pattern.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }
}
