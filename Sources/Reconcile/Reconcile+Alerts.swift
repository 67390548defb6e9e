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
        case .dailyDigest: .dailyDigest
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

extension Reconcile {
    /// Whether the daily digest is due: the latest `minuteOfDay` (in `timeZone`) at or before
    /// `now` is after the last digest. With no last digest it is not due (a daemon started at
    /// 15:00 waits for tomorrow's time instead of sending one at once). Pure.
    public static func digestDue(last: Date?, minuteOfDay: Int, now: Date, timeZone: TimeZone) -> Bool {
        guard let last else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let midnight = calendar.startOfDay(for: now)
        guard var scheduled = calendar.date(bySettingHour: minuteOfDay / 60, minute: minuteOfDay % 60, second: 0, of: midnight) else { return false }
        if scheduled > now { scheduled = calendar.date(byAdding: .day, value: -1, to: scheduled) ?? scheduled }
        return last < scheduled
    }

    /// The daily digest of `orgs` (each one's lines, from its status) as one report.
    public static func digestReport(host: String, orgs: [(name: String, lines: [String], alarm: Bool)]) -> Report {
        let alarms = orgs.filter(\.alarm).map(\.name)
        let head = alarms.isEmpty
            ? "zoho-crm-backup on \(host): \(orgs.count) org\(orgs.count == 1 ? "" : "s"), no alarm"
            : "zoho-crm-backup on \(host): \(orgs.count) org\(orgs.count == 1 ? "" : "s"), ALARM for \(alarms.joined(separator: ", "))"
        let body = orgs.map { org in ([org.name + ":"] + org.lines.map { "  " + $0 }).joined(separator: "\n") }.joined(separator: "\n")
        return Report(alarms.isEmpty ? .info : .warning, head + "\n\n" + body, event: .dailyDigest,
                      hint: alarms.isEmpty ? nil : "`zoho-crm-backup status` shows each alarm and what to do.")
    }
}
