import Foundation
import ZohoModel

/// Where and how an org's backups are copied off the machine (`offsite:`): into a restic
/// repository, encrypted and deduplicated by restic.
public struct OffsitePolicy: Sendable, Equatable {
    /// A restic repository: an absolute local path, or `s3:…`, `sftp:…`, `rest:…`,
    /// `rclone:…` (and restic's other backends), as restic's `--repo` takes it.
    public var repository: String
    /// The name of the secret holding the repository password (see ``SecretLookup``).
    public var passwordSecret: String
    /// The name of an optional secret of `KEY=VALUE` lines given to restic's process only
    /// (S3 keys, `RCLONE_CONFIG`, …).
    public var environmentSecret: String?
    /// How many snapshots the repository keeps (``RetentionCounts``; applied by the off-site
    /// retention, independent of the local archive's).
    public var keep: RetentionCounts
    /// How often the repository is checked, and how much of its data is read then.
    public var check: Check
    /// Local retention keeps a backup until it is off-site (default false).
    public var required: Bool
    /// The restic program: a path from the policy, or nil for `restic` on `PATH`.
    public var restic: String?
    /// Where `offsite:` stands in the file.
    public var position: SourcePosition

    /// `offsite.check`: every how long, and what share of the data is read (`--read-data-subset`).
    public struct Check: Sendable, Equatable {
        public var every: Duration
        /// A share in (0, 1]: 0.05 reads 5 % of the packs each check.
        public var readDataSubset: Double

        public init(every: Duration, readDataSubset: Double) {
            self.every = every
            self.readDataSubset = readDataSubset
        }

        /// Weekly, reading 5 % of the data.
        public static let `default` = Check(every: .seconds(7 * 86_400), readDataSubset: 0.05)
    }

    /// The repository's default retention: `{ last: 8, weekly: 26, monthly: 36, yearly: 7 }`.
    public static let defaultKeep = RetentionCounts(last: 8, weekly: 26, monthly: 36, yearly: 7)

    public init(repository: String, passwordSecret: String, environmentSecret: String? = nil, keep: RetentionCounts = OffsitePolicy.defaultKeep,
                check: Check = .default, required: Bool = false, restic: String? = nil, position: SourcePosition = SourcePosition(line: 0, column: 0)) {
        self.repository = repository
        self.passwordSecret = passwordSecret
        self.environmentSecret = environmentSecret
        self.keep = keep
        self.check = check
        self.required = required
        self.restic = restic
        self.position = position
    }

    /// The local folder of a local-path repository (`/srv/restic` or `local:/srv/restic`), nil for others.
    public var localPath: String? { Self.localPath(of: repository) }

    /// The local folder of a local-path repository string, nil for other backends.
    public static func localPath(of repository: String) -> String? {
        if repository.hasPrefix("/") { return repository }
        if repository.hasPrefix("local:/") { return String(repository.dropFirst("local:".count)) }
        return nil
    }

    /// The repository as it may be shown: a password in a URL (`rest:https://user:pw@host/`) is masked.
    public var displayRepository: String { Self.redacted(repository) }

    /// `repository` with the password of a URL's `user:password@` masked.
    public static func redacted(_ repository: String) -> String { RepositoryAddress.redacted(repository) }

    /// restic's backends, as the repository string's prefix.
    public static let backends = ["local", "s3", "sftp", "rest", "rclone", "b2", "azure", "gs", "swift"]
}
