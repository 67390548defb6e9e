import BackupArchive
import Foundation
import Reconcile
import ZohoModel

extension OrgWorker {
    /// What `status` shows for the org as of `now`: with `daemonRunning`, the daemon's last
    /// observation (from its `state.json`) — Zoho is not asked; otherwise a live look.
    public func status(daemonRunning: Bool, now: Date) async -> OrgStatus {
        reloadPending()   // an unconfirmed request is in pending-post.json, not state.json
        var remote = state.lastObservation
        var observation = remote == nil ? "none" : "daemon"
        var problem = state.lastError
        if !daemonRunning {
            let look = await look()
            if let live = look.remote {
                remote = live
                observation = "live"
            }
            if let error = look.error { problem = error }
        }
        let backups = folder.backups()
        var holdsInForce: [Hold] = []
        do { holdsInForce = try folder.holds().holds.filter { $0.isActive(at: now) } } catch {
            if problem == nil { problem = OrgState.LastError(kind: "holdsUnreadable", message: "[\(policy.name)] \(error.description)", hint: "Retention removes nothing until the holds can be read.", at: now) }
        }
        let newest = backups.max { $0.manifest.completedAt < $1.manifest.completedAt }
        let freshness = Freshness.evaluate(newestBackup: newest?.manifest.completedAt, watchingSince: state.watchingSince,
                                           maxAge: policy.maxAge, now: now)
        let job = remote?.job
        var next = job?.isActiveRecurring == true ? job?.scheduledDate : nil
        if next == nil, job?.isActiveRecurring == true, let text = job?.rrule, let rule = try? RRule(parsing: text) {
            next = rule.nextOccurrence(after: now, anchor: job?.startDate ?? now, timeZone: policy.timeZone)
        }
        let known = Set(backups.map(\.manifest.jobID))
        var waiting = state.seenJobs.values.map { OrgStatus.Links(job_id: $0.jobID, parts: $0.links.count, expires_at: $0.expiry) }
        if let remote, let id = remote.linksJobID, !known.contains(id), !waiting.contains(where: { $0.job_id == id }),
           !state.lostJobs.contains(id) {
            waiting.append(OrgStatus.Links(job_id: id, parts: remote.urls?.allLinks.count ?? 0, expires_at: remote.urls?.expiryDate))
        }
        return OrgStatus(
            org: policy.name, schedule: policy.schedule.description, daemon_running: daemonRunning,
            observation: observation, observed_at: remote?.observedAt,
            zoho: job.map { OrgStatus.Zoho(job_id: $0.id, rrule: $0.rrule, status: $0.status.rawValue, next_run: next) },
            backups: backups.count,
            newest_backup: newest.map { OrgStatus.Newest(folder: $0.folder, job_id: $0.manifest.jobID, completed_at: $0.manifest.completedAt,
                                                         age_seconds: Int(now.timeIntervalSince($0.manifest.completedAt))) },
            freshness: freshness.description, freshness_alarm: freshness.isAlarm,
            links_waiting: waiting.sorted { $0.job_id < $1.job_id }, lost_jobs: state.lostJobs,
            quarantined: folder.quarantined().map { OrgStatus.Quarantine(job_id: $0.jobID, folder: $0.folder, files: $0.files, reason: $0.reason) },
            unconfirmed_request_since: state.pendingPost?.sentAt, quota_blocked_until: state.quotaBlockedUntil,
            last_success: state.lastSuccess,
            holds: holdsInForce.map { HeldBackup($0, org: policy.name) },
            mass_change_alarm: holdsInForce.contains { $0.kind == .massChange },
            offsite: policy.offsite.map { OffsiteSummary(org: policy.name, offsite: $0, state: offsiteState, backups: backups) },
            last_error: problem.map { OrgStatus.Problem(kind: $0.kind, message: $0.message, hint: $0.hint, at: $0.at, job_id: $0.jobID) })
    }
}

/// One org's status, as `status` prints it (and `--json` writes it, these names being its keys).
public struct OrgStatus: Encodable, Sendable {
    public struct Zoho: Encodable, Sendable {
        public var job_id: String
        public var rrule: String?
        public var status: String
        public var next_run: Date?
    }
    public struct Newest: Encodable, Sendable {
        public var folder: String
        public var job_id: String
        public var completed_at: Date
        public var age_seconds: Int
    }
    public struct Links: Encodable, Sendable {
        public var job_id: String
        public var parts: Int
        public var expires_at: Date?
    }
    public struct Quarantine: Encodable, Sendable {
        public var job_id: String
        public var folder: String
        public var files: [String]
        public var reason: String
    }
    public struct Problem: Encodable, Sendable {
        public var kind: String
        public var message: String
        public var hint: String
        public var at: Date
        public var job_id: String?
    }
    public var org: String
    public var schedule: String
    public var daemon_running: Bool
    /// "daemon": the daemon's last observation; "live": observed now; "none".
    public var observation: String
    public var observed_at: Date?
    public var zoho: Zoho?
    public var backups: Int
    public var newest_backup: Newest?
    public var freshness: String
    public var freshness_alarm: Bool
    public var links_waiting: [Links]
    public var lost_jobs: [String]
    /// Parts kept in the archive's `.quarantine/` (never deleted by the daemon).
    public var quarantined: [Quarantine]
    public var unconfirmed_request_since: Date?
    public var quota_blocked_until: Date?
    public var last_success: Date?
    /// Holds in force on the org's backups.
    public var holds: [HeldBackup]
    /// A mass-change hold is in force: `status` exits 1 until it is released or expires.
    public var mass_change_alarm: Bool
    /// The off-site copies, when the org has `offsite:`; `status` exits 1 while they fail.
    public var offsite: OffsiteSummary?
    public var last_error: Problem?
}
