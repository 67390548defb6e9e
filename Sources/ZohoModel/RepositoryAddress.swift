/// A restic repository's address as it may be shown: the password of a URL's
/// `user:password@` masked (`rest:https://backup:***@host:8000/acme`). The password may
/// itself hold `@`: the user information ends at the last `@` before the path.
public enum RepositoryAddress {
    /// `repository` with a URL's password masked; other addresses unchanged.
    public static func redacted(_ repository: String) -> String {
        guard let scheme = repository.range(of: "://") else { return repository }
        let rest = repository[scheme.upperBound...]
        let authority = rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return repository }
        return String(repository[..<colon]) + ":***" + String(repository[at...])
    }
}
