/// The `kind` label of `zoho_crm_backup_failures_total`: what failed. The packaged Prometheus
/// rules match these values, and their test checks every value they name is one of these.
///
/// - Important: Never rename a value: operators' alert rules depend on it.
public enum FailureKind: String, CaseIterable, Sendable {
    /// A request to Zoho failed (the schedule, the links, the token).
    case zoho
    /// A part's download failed.
    case download
    /// A downloaded part failed verification (size, SHA-256, a zip entry's CRC-32).
    case verify
    /// A backup's links expired before it was archived: the backup is lost.
    case linksExpired = "links_expired"
    /// Zoho's download links could not be understood.
    case linksUnreadable = "links_unreadable"
    /// Retention removed a backup before it was copied off-site (room for a download under `required`).
    case removedNotOffsite = "removed_not_offsite"
    /// A copy into the off-site repository failed.
    case offsite
    /// The off-site repository's check found damage.
    case offsiteCheck = "offsite_check"
}

/// The `kind` label of `zoho_crm_backup_alarm` (1 while raised, 0 once over). The packaged
/// Prometheus rules match these values, and their test checks every value they name.
///
/// - Important: Never rename a value: operators' alert rules depend on it.
public enum AlarmKind: String, CaseIterable, Sendable {
    /// A module lost or changed more records than the org's limits allow; the backup before is held.
    case massChange = "mass_change"
    /// The off-site repository failed its check.
    case offsiteCheck = "offsite_check"
    /// The disk of restic's cache is nearly full: copies run without the cache.
    case offsiteCache = "offsite_cache"
}
