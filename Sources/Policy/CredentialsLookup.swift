import Foundation
import Glibc

/// Finds and reads an org's credentials file.
///
/// For `credentials: acme` the lookup order is
/// 1. `$CREDENTIALS_DIRECTORY/org_acme.json` — what the unit's
///    `LoadCredential=org:/etc/zoho-crm-backup/credentials` makes of `acme.json`;
/// 2. `$CREDENTIALS_DIRECTORY/acme.json`;
/// 3. `/etc/zoho-crm-backup/credentials/acme.json`.
///
/// The first file that exists is used; it must be readable by its owner only.
public struct CredentialsLookup: Sendable {
    /// Where the package keeps credentials files, and `auth` writes them.
    public static let defaultDirectory = "/etc/zoho-crm-backup/credentials"
    /// A credentials file is a few hundred bytes.
    static let maximumSize = 64 * 1024

    public var environment: [String: String]
    public var directory: String
    /// What was read before, by name (a command run as root reads the root-only files, then
    /// gives up root): answered as it was, without reading again.
    public var preloaded: [String: Result<Credentials, CredentialsError>] = [:]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                directory: String = CredentialsLookup.defaultDirectory) {
        self.environment = environment
        self.directory = directory
    }

    /// This lookup with the credentials of `names` read now (successes and errors alike).
    public func preloading(_ names: [(name: String, org: String)]) -> CredentialsLookup {
        var copy = self
        for (name, org) in names where copy.preloaded[name] == nil {
            do { copy.preloaded[name] = .success(try load(name, org: org)) } catch { copy.preloaded[name] = .failure(error) }
        }
        return copy
    }

    /// The paths tried for `name`, in order.
    public func candidates(for name: String) -> [String] {
        var paths: [String] = []
        if let dir = environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty {
            paths += ["\(dir)/org_\(name).json", "\(dir)/\(name).json"]
        }
        paths.append("\(directory)/\(name).json")
        return paths
    }

    /// Reads the credentials named `name`.
    ///
    /// - Throws: ``CredentialsError`` saying which file and what to do: none found (with every
    ///   path tried), not a regular file, readable by group or others (with the `chmod 600`
    ///   that fixes it), unreadable, not JSON, or a key missing or empty.
    /// - Parameter org: the org the credentials are for, named in the advice to run `auth`.
    public func load(_ name: String, org: String? = nil) throws(CredentialsError) -> Credentials {
        if let known = preloaded[name] { return try known.get() }
        let tried = candidates(for: name)
        if let (path, info) = try SecretFile.first(of: tried) { return try read(path, info: info) }
        throw CredentialsError(
            code: .notFound, paths: tried,
            message: "no credentials file for '\(name)'; looked for \(tried.joined(separator: ", ")). "
                + "Create \(tried.last ?? name) (mode 0600) with `zoho-crm-backup auth --org \(org ?? name)`")
    }

    private func read(_ path: String, info: stat) throws(CredentialsError) -> Credentials {
        let data = try SecretFile.read(path, info: info, maximumSize: Self.maximumSize, holds: "the JSON credentials file",
                                       tooLargeHint: "it should hold only client_id, client_secret and refresh_token")
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CredentialsError(
                code: .malformed, paths: [path],
                message: "\(path): is not a JSON object; expected {\"client_id\": \"…\", \"client_secret\": \"…\", \"refresh_token\": \"…\"}")
        }
        var values: [String: String] = [:]
        for key in ["client_id", "client_secret", "refresh_token"] {
            guard let value = object[key] as? String, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                let state = object[key] == nil ? "missing" : "empty or not text"
                throw CredentialsError(
                    code: .missingKey, paths: [path],
                    message: "\(path): key '\(key)' is \(state); the file needs client_id, client_secret and refresh_token (`zoho-crm-backup auth` writes it)")
            }
            values[key] = value.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return Credentials(clientID: values["client_id"] ?? "", clientSecret: values["client_secret"] ?? "",
                           refreshToken: values["refresh_token"] ?? "", path: path)
    }
}
