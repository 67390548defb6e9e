import ZohoModel
import Metrics
import Prometheus

/// The daemon's metrics, through swift-metrics backed by a private swift-prometheus registry
/// (no global bootstrap, so tests and reloads stay independent).
///
/// The supervisor feeds the values; ``render()`` gives node_exporter's text format with a
/// `# HELP` line per family, and ``MetricsTextfile`` writes it atomically.
public final class BackupMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    /// Downloads running now, across all orgs.
    public let downloadsInFlight: Metrics.Gauge
    /// Bytes per second downloaded, across all orgs, over the last cycle.
    public let downloadBytesPerSecond: Metrics.Gauge

    public init() {
        registry = PrometheusCollectorRegistry()
        factory = PrometheusMetricsFactory(registry: registry)
        downloadsInFlight = Metrics.Gauge(label: MetricName.downloadsInFlight.rawValue, factory: factory)
        downloadBytesPerSecond = Metrics.Gauge(label: MetricName.downloadBytesPerSecond.rawValue, factory: factory)
    }

    /// The metrics of one org (made on first use; the same series afterwards).
    public func org(_ name: String) -> OrgMetrics { OrgMetrics(org: name, factory: factory) }

    /// The exposition text (Prometheus text format 0.0.4) with `# HELP` for every family.
    public func render() -> String {
        var lines: [Substring] = []
        for line in registry.emitToString().split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE "), let name = line.split(separator: " ").dropFirst(2).first,
               let metric = MetricName(rawValue: String(name)) {
                lines.append(Substring("# HELP \(metric.rawValue) \(metric.help)"))
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One org's series, labelled `org="<name>"`.
public struct OrgMetrics: Sendable {
    public let org: String
    private let factory: PrometheusMetricsFactory

    init(org: String, factory: PrometheusMetricsFactory) {
        self.org = org
        self.factory = factory
    }

    private var labels: [(String, String)] { [("org", org)] }
    private func gauge(_ name: MetricName, _ extra: [(String, String)] = []) -> Metrics.Gauge {
        Metrics.Gauge(label: name.rawValue, dimensions: labels + extra, factory: factory)
    }
    private func counter(_ name: MetricName, _ extra: [(String, String)] = []) -> Metrics.Counter {
        Metrics.Counter(label: name.rawValue, dimensions: labels + extra, factory: factory)
    }

    /// A backup was committed: its size and parts, and the time of the last success.
    public func recordArchived(bytes: Int64, parts: Int, at time: Double) {
        counter(.archivedBytes).increment(by: bytes)
        counter(.archivedParts).increment(by: parts)
        gauge(.lastSuccess).record(time)
    }

    /// Age in seconds of the newest verified backup, and the org's limit (0: no limit).
    public func setFreshness(newestAgeSeconds: Double?, maxAgeSeconds: Double?, alarm: Bool) {
        if let age = newestAgeSeconds { gauge(.newestBackupAge).record(age) }
        gauge(.maxAge).record(maxAgeSeconds ?? 0)
        gauge(.freshnessAlarm).record(alarm ? 1 : 0)
    }

    /// A failure of this kind (its `kind` label).
    public func recordFailure(kind: FailureKind) { counter(.failures, [("kind", kind.rawValue)]).increment() }

    /// When the pending links expire (Unix seconds; 0: none pending).
    public func setLinksExpiry(_ time: Double?) { gauge(.linksExpiry).record(time ?? 0) }

    /// Zoho answered `LIMIT_EXCEEDED`.
    public func recordQuotaError() { counter(.quotaErrors).increment() }

    /// Parts kept in the archive's `.quarantine/` (0: none).
    public func setQuarantinedParts(_ count: Int) { gauge(.quarantinedParts).record(count) }

    /// A module's records in the newest backup, and those deleted and changed since the backup before it.
    public func setRecords(module: String, records: Int, deleted: Int, changed: Int) {
        gauge(.records, [("module", module)]).record(records)
        gauge(.recordsDeleted, [("module", module)]).record(deleted)
        gauge(.recordsChanged, [("module", module)]).record(changed)
    }

    /// A backup was copied off-site: the bytes it added, and the time of the last copy.
    public func recordOffsiteCopy(bytesAdded: Int64, at time: Double) {
        counter(.offsiteBytesAdded).increment(by: bytesAdded)
        gauge(.offsiteLastSuccess).record(time)
    }

    /// Archived backups not yet off-site.
    public func setOffsiteLag(_ backups: Int) { gauge(.offsiteLag).record(backups) }

    /// An alarm of `kind` raised (1) or not (0).
    public func setAlarm(kind: AlarmKind, raised: Bool) { gauge(.alarm, [("kind", kind.rawValue)]).record(raised ? 1 : 0) }
}

/// Every metric the daemon writes, with its help text. Names never change once released.
public enum MetricName: String, CaseIterable, Sendable {
    case lastSuccess = "zoho_crm_backup_last_success_timestamp_seconds"
    case newestBackupAge = "zoho_crm_backup_newest_backup_age_seconds"
    case maxAge = "zoho_crm_backup_max_age_seconds"
    case freshnessAlarm = "zoho_crm_backup_freshness_alarm"
    case archivedBytes = "zoho_crm_backup_archived_bytes_total"
    case archivedParts = "zoho_crm_backup_archived_parts_total"
    case failures = "zoho_crm_backup_failures_total"
    case linksExpiry = "zoho_crm_backup_links_expiry_timestamp_seconds"
    case quotaErrors = "zoho_crm_backup_quota_errors_total"
    case downloadsInFlight = "zoho_crm_backup_downloads_in_flight"
    case downloadBytesPerSecond = "zoho_crm_backup_download_bytes_per_second"
    case quarantinedParts = "zoho_crm_backup_quarantined_parts"
    case records = "zoho_crm_backup_records"
    case recordsDeleted = "zoho_crm_backup_records_deleted"
    case recordsChanged = "zoho_crm_backup_records_changed"
    case alarm = "zoho_crm_backup_alarm"
    case offsiteLastSuccess = "zoho_crm_backup_offsite_last_success_timestamp_seconds"
    case offsiteLag = "zoho_crm_backup_offsite_lag_backups"
    case offsiteBytesAdded = "zoho_crm_backup_offsite_bytes_added_total"

    public var help: String {
        switch self {
        case .lastSuccess: "Unix time of the org's last archived backup."
        case .newestBackupAge: "Age in seconds of the org's newest verified backup."
        case .maxAge: "The org's freshness limit (alert.max_age) in seconds; 0 means no limit."
        case .freshnessAlarm: "1 while the org's newest backup is older than its limit, else 0."
        case .archivedBytes: "Bytes archived for the org since the daemon started."
        case .archivedParts: "Zip parts archived for the org since the daemon started."
        case .failures: "Failures for the org since the daemon started, by kind."
        case .linksExpiry: "Unix time when the org's pending download links expire; 0 when none are pending."
        case .quotaErrors: "LIMIT_EXCEEDED answers from Zoho for the org since the daemon started."
        case .downloadsInFlight: "Downloads running now, across all orgs."
        case .downloadBytesPerSecond: "Download rate in bytes per second across all orgs."
        case .records: "Records of the module in the org's newest backup (from its record index)."
        case .recordsDeleted: "Records of the module deleted between the org's two newest backups."
        case .recordsChanged: "Records of the module whose values changed between the org's two newest backups."
        case .alarm: "1 while an alarm of this kind is raised for the org (mass_change: a backup is held after a mass change; offsite_check: the repository failed its check; offsite_cache: restic runs without its cache), else 0."
        case .offsiteLastSuccess: "Unix time of the org's last backup copied into its off-site repository."
        case .offsiteLag: "The org's archived backups not yet in its off-site repository."
        case .offsiteBytesAdded: "Bytes the org's off-site copies added to the repository (after deduplication) since the daemon started."
        case .quarantinedParts: "Parts of the org's backups kept in the archive's .quarantine/ after their links expired; the daemon never deletes them."
        }
    }
}
