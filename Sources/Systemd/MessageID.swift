import Logging

/// The fixed journal `MESSAGE_ID`s of the daemon's key events, each with an entry in the
/// message catalog (`packaging/zoho-crm-backup.catalog`), so that
/// `journalctl MESSAGE_ID=<id>` finds every such event and `journalctl -x` explains it.
///
/// - Important: Never change an ID: operators' queries and alerts depend on it.
public enum MessageID: String, CaseIterable, Sendable {
    /// A backup was downloaded, verified and committed to the archive.
    case backupArchived = "b637921a5e4d41d9818ec0e4fdf19385"
    /// A backup could not be archived (download, verification or commit failed).
    case backupFailed = "37a1bf4bce924affb487e1edb0d1acb6"
    /// A backup's links expired before it was downloaded: that backup is lost.
    case linksExpired = "2a351425ae8e43e7ba77881aafefffda"
    /// The daemon scheduled, cancelled or rescheduled Zoho's backup schedule.
    case scheduleChanged = "83f879bbdb2847e6af92485329efe704"
    /// Retention removed an archived backup.
    case retentionRemoved = "dda8d9c137b04d0fb69294095c45ed78"
    /// The newest verified backup is older than the org's `alert.max_age`.
    case freshnessAlarm = "c9f4043117f3498ca994f850e712c1ff"
    /// Zoho rejected the org's credentials, or they could not be read.
    case credentialsRejected = "5513532bc18e4060b729e2c5c83c0bc7"
    /// A backup's links expired with parts that failed verification (or verified parts of an
    /// incomplete backup): Zoho's bytes are kept in the archive's `.quarantine/`.
    case partsQuarantined = "a9268cc0555a41eda4bbd7dbca3912fd"
    /// Zoho's download links could not be understood: nothing can be downloaded until they can.
    case linksUnreadable = "c4b5142fbab84559b208a20c540b95b0"
    /// A module lost or changed more records between two backups than the org's limits allow:
    /// the backup before the change is held.
    case massChange = "277f975fdde34336bb835b662134be65"
    /// A backup was copied into the org's off-site restic repository (restic confirmed the snapshot).
    case offsiteCopied = "bb5ea4dbfa5a4d95ac953cb18a617c4a"
    /// A copy into the off-site repository failed (wrong password, no repository, locked,
    /// unreachable, …): retried with backoff; the local archive is untouched.
    case offsiteFailed = "76af7552eed04a13803509a02f923810"
    /// The off-site repository's periodic check (`restic check --read-data-subset`) found
    /// damage: an alarm until a later check passes.
    case offsiteCheckFailed = "fc00170a5e364f568bb7c0e8114cee3a"
    /// A backup's download began or resumed (healthchecks' `/start`).
    case downloadStarted = "30e8e79bc06c4b0d823d4bb76338ac35"
    /// The freshness alarm is over: a recent backup is archived again.
    case freshnessRecovered = "0ddcec2fbb4e4e9eaed8c28b540c42a0"
    /// The daemon started (the policy read, the orgs' loops running).
    case daemonStarted = "f61a2a45cb9844e9bc86fe869dc6e646"
    /// The daemon is stopping: no backups are watched until it starts again.
    case daemonStopping = "496832fb3e124fc186095b2d60b3cd4f"
    /// Zoho refused a backup request: the org's monthly backups are used up (`LIMIT_EXCEEDED`);
    /// none is requested before the next month.
    case quotaExhausted = "735e2805fdb1421d9ff8818799912290"

    /// Logger metadata that tags an entry with this ID: `logger.error("…", metadata: MessageID.backupFailed.metadata)`.
    public var metadata: Logger.Metadata { [LogField.messageIDKey: .string(rawValue)] }
}
