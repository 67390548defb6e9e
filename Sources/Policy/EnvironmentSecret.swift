import Foundation

/// An environment secret (`offsite.environment_secret`): `KEY=VALUE` lines for restic's
/// process only — S3 keys, `RCLONE_CONFIG`, `B2_ACCOUNT_KEY` … Blank lines and `#` comments
/// are skipped; a value may be quoted with `"` or `'`.
public enum EnvironmentSecret {
    /// Variables the daemon sets itself: a secret may not override them (the password comes
    /// from `password_secret`, the repository from the policy).
    public static let reserved: Set<String> = ["RESTIC_PASSWORD", "RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND",
                                                "RESTIC_REPOSITORY", "RESTIC_REPOSITORY_FILE", "RESTIC_CACHE_DIR", "PATH", "TZ"]

    /// The variables of `secret`. - Throws: ``CredentialsError`` `.malformed` naming the file
    /// and line (never the value).
    public static func parse(_ secret: Secret) throws(CredentialsError) -> [String: String] {
        var variables: [String: String] = [:]
        let lines = String(decoding: secret.data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)).trimmingCharacters(in: .whitespaces) }
            func refuse(_ why: String) -> CredentialsError {
                CredentialsError(code: .malformed, paths: [secret.path], message: "\(secret.path):\(index + 1): \(why)")
            }
            guard let equals = line.firstIndex(of: "=") else { throw refuse("expected KEY=VALUE (the value is not shown)") }
            let key = String(line[..<equals]).trimmingCharacters(in: .whitespaces)
            guard let first = key.first, first == "_" || (first.isASCII && first.isLetter),
                  key.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                throw refuse("'\(key.prefix(40))' is not a variable name (letters, digits and _)")
            }
            guard !reserved.contains(key) else {
                throw refuse("\(key) is set by the daemon itself (the password comes from offsite.password_secret, the repository from offsite.repository); remove the line")
            }
            var value = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q { value = String(value.dropFirst().dropLast()) }
            variables[key] = value
        }
        return variables
    }
}
