/// What an alert is about: the events a `notify:` destination can subscribe to, by the ids the
/// policy and the JSON webhook use.
public enum AlertEvent: String, CaseIterable, Sendable, Codable, Hashable {
    /// A backup's download began (healthchecks' `/start`).
    case backupStarted = "backup_started"
    /// A backup was downloaded, verified and committed to the archive.
    case backupArchived = "backup_archived"
    /// A backup could not be archived.
    case backupFailed = "backup_failed"
    /// A backup's links expired before it was archived: that backup is lost.
    case linksLost = "links_lost"
    /// Zoho's download links could not be understood.
    case linksUnreadable = "links_unreadable"
    /// The newest backup is older than the org's `alert.max_age`.
    case backupLate = "backup_late"
    /// A backup arrived again after `backup_late`.
    case backupOnTime = "backup_on_time"
    /// A module lost or changed more records than the org's limits allow.
    case massChange = "mass_change"
    /// A copy into the off-site repository failed.
    case offsiteFailed = "offsite_failed"
    /// The off-site repository's check found damage.
    case offsiteCheckFailed = "offsite_check_failed"
    /// Zoho rejected the org's credentials, or they could not be read.
    case credentialsRejected = "credentials_rejected"
    /// Zoho's backup quota for the month is used up.
    case quotaExhausted = "quota_exhausted"
    /// The daemon started.
    case daemonStarted = "daemon_started"
    /// The daemon is stopping.
    case daemonStopping = "daemon_stopping"
    /// Once a day at `digest_at`: every org's newest backup, its age, alarms and off-site lag.
    case dailyDigest = "daily_digest"

    /// What a webhook or e-mail without `events:` gets: everything but the routine
    /// `backup_started`, `backup_archived` and `daily_digest`.
    public static let webhookDefault: Set<AlertEvent> = Set(allCases).subtracting([.backupStarted, .backupArchived, .dailyDigest])

    /// What a healthchecks check is told unless its `events` say otherwise: `/start`, success,
    /// `/fail` (other events it is given go to its `/log`, shown in the check's log without
    /// changing its state).
    public static let healthchecks: Set<AlertEvent> = [.backupStarted, .backupArchived, .backupFailed, .linksLost]

    /// Events about the daemon rather than one org.
    public var isDaemonEvent: Bool { self == .daemonStarted || self == .daemonStopping || self == .dailyDigest }
}
