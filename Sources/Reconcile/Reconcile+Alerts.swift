import Foundation
import ZohoModel

extension Report {
    /// The `notify:` event this report is, if any: what an alert is made of is decided here,
    /// with the report, not again by the notifier.
    public var alert: AlertEvent? {
        switch event {
        case .backupArchived: .backupArchived
        case .backupFailed: .backupFailed
        case .linksExpired: .linksLost
        case .linksUnreadable: .linksUnreadable
        case .massChange: .massChange
        case .offsiteFailed: .offsiteFailed
        case .offsiteCheckFailed: .offsiteCheckFailed
        case .credentialsRejected: .credentialsRejected
        case .backupStarted: .backupStarted
        case .backupLate: .backupLate
        case .backupOnTime: .backupOnTime
        case .daemonStarted: .daemonStarted
        case .daemonStopping: .daemonStopping
        case .scheduleChanged, .retentionRemoved, .partsQuarantined, .offsiteCopied, nil:
            counts.contains(.quotaError) ? .quotaExhausted : nil
        }
    }
}

extension Reconcile {
    /// A backup's download begins (or resumes): healthchecks' `/start`.
    public static func downloadStarted(org: String, jobID: String, parts: Int, resume: Bool) -> Report {
        Report(.info, "[\(org)] \(resume ? "resuming" : "downloading") backup \(jobID): \(parts) parts", event: .backupStarted, jobID: jobID)
    }

    /// The freshness alarm raised (`freshness` says how old) or over.
    public static func freshnessReport(org: String, raised: Bool, freshness: Freshness) -> Report {
        guard raised else {
            return Report(.notice, "[\(org)] a recent backup is archived again: the freshness alarm is over", event: .backupOnTime)
        }
        let hint = "Check `zoho-crm-backup status` and the journal for this org's errors; Zoho's schedule may have been changed or the downloads may be failing."
        return Report(.critical, "[\(org)] no recent backup: \(freshness). \(hint)", event: .backupLate, hint: hint)
    }

    /// The daemon started with `orgs` orgs, or is stopping.
    public static func daemonReport(started: Bool, orgs: Int) -> Report {
        started
            ? Report(.notice, "zoho-crm-backup started: \(orgs) org\(orgs == 1 ? "" : "s") in the policy", event: .daemonStarted)
            : Report(.notice, "zoho-crm-backup is stopping: no backups are watched until it starts again", event: .daemonStopping,
                     hint: "If nobody stopped it on purpose, look at `systemctl status zoho-crm-backup` and `journalctl -u zoho-crm-backup -b`.")
    }
}
