import Foundation
import ZohoModel

/// The policy file, validated, with every default filled in.
///
/// Read it with ``PolicyLoader``; a `Policy` value is always valid (every key in range,
/// archives distinct, the state folder outside every archive).
public struct Policy: Sendable, Equatable {
    /// The file it was read from, as given.
    public var file: String
    /// The format version; only 1 exists.
    public var version: Int
    /// The organisations, in the file's order. May be empty.
    public var orgs: [OrgPolicy]
    /// At most this many downloads run at once across all orgs (`downloads.parallel`, default 2).
    public var parallelDownloads: Int
    /// node_exporter textfile to write metrics to (`metrics.textfile`); nil: no metrics file.
    public var metricsTextfile: String?
    /// Where per-org state lives (`state_dir`).
    public var stateDir: String
    /// The daemon's own healthchecks check (`heartbeat:`), pinged while it is healthy; nil: none.
    public var heartbeat: HeartbeatPolicy?

    /// The org named `name`, if the policy has it.
    public func org(_ name: String) -> OrgPolicy? { orgs.first { $0.name == name } }
}

/// One organisation's desired state.
public struct OrgPolicy: Sendable, Equatable {
    /// `[a-z0-9-]+`: used in paths, logs and metrics.
    public var name: String
    public var dataCenter: DataCenter
    /// The credentials name: `acme` is looked up as `acme.json` (see ``CredentialsLookup``).
    public var credentials: String
    /// Where `credentials:` stands in the file, so credential errors can point at it.
    public var credentialsPosition: SourcePosition
    public var schedule: BackupSchedule
    /// Download `Attachments_NNN.zip` too (default true).
    public var attachments: Bool
    /// How often to observe Zoho (default 15m).
    public var pollInterval: Duration
    /// The org's zone for RRULE occurrences, retention buckets and quota months.
    public var timeZone: TimeZone
    public var archive: ArchivePolicy
    public var endpoints: Endpoints
    /// The freshness limit: an alarm when the newest verified backup is older. Nil: no alarm.
    public var maxAge: Duration?
    /// The mass-change alarm's limits (`alert.max_deleted`, `max_changed`, `min_records`, `hold_days`).
    public var massChange: MassChangeLimits = .default
    /// The off-site copy into a restic repository (`offsite:`); nil: none.
    public var offsite: OffsitePolicy?
    /// Where the org's alerts go (`notify:`); nil: nowhere but the journal.
    public var notify: NotifyPolicy?
    /// Where the org's name stands in the file.
    public var position: SourcePosition
}

/// Where and how long backups are kept.
public struct ArchivePolicy: Sendable, Equatable {
    /// Absolute path of the org's archive folder.
    public var path: String
    public var keep: RetentionCounts
    /// Downloads do not start when less than this would remain free.
    public var minFree: ByteSize
}

/// The hosts an org talks to: its data centre's, unless overridden.
public struct Endpoints: Sendable, Equatable {
    /// Base URL of the accounts server (OAuth), e.g. `https://accounts.zoho.com`.
    public var accounts: String
    /// Base URL of the CRM API, e.g. `https://www.zohoapis.com`.
    public var api: String
    /// Hosts (`name` or `name:port`) that download links may point at: the data centre's
    /// two download hosts plus any listed in `endpoints.download_hosts`.
    public var downloadHosts: [String]
}

/// A line and column (both 1-based) in a file.
public struct SourcePosition: Hashable, Sendable, Codable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}
