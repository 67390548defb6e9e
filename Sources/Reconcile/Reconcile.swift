import Foundation
import ZohoModel

/// The pure decision function: what to do for one org now.
///
/// `(desired, observed remote, observed archive, persisted state, now) → [Action]`, no I/O.
/// The supervisor observes, calls ``decide(_:remote:archive:state:now:)`` and carries out the
/// actions in order: state bookkeeping first, then changes to Zoho's schedule, downloads,
/// retention and alarms.
public enum Reconcile {
    /// Links that expire sooner than this are downloaded before any other.
    public static let urgentWithin: TimeInterval = 24 * 3600

    /// The actions for one org now, in the order to carry them out. Pure: no I/O, no clock.
    public static func decide(_ desired: Desired, remote: RemoteObservation, archive: ArchiveObservation,
                              state: OrgState, now: Date) -> [Action] {
        var actions: [Action] = []
        var mayPost = true

        // An unconfirmed POST: only an observation made after it says whether it took effect.
        if let resolution = requestActions(remote: remote, archive: archive, state: state, now: now) {
            actions += resolution
        } else {
            mayPost = false
            actions.append(.wait(.unconfirmedRequest))
        }
        if let refused = state.alreadyScheduledAt {
            if remote.observedAt > refused {
                actions.append(.clearAlreadyScheduled)
            } else {
                mayPost = false
                actions.append(.wait(.alreadyScheduled))
            }
        }
        var quotaBlocked: Date?
        if let until = state.quotaBlockedUntil {
            if now >= until { actions.append(.clearQuotaBlock) } else { quotaBlocked = until }
        }

        actions += scheduleActions(desired, job: remote.job, mayPost: mayPost, quotaBlockedUntil: quotaBlocked)
        let downloads = downloadActions(desired, remote: remote, archive: archive, state: state, now: now)
        actions += downloads
        let willDownload = downloads.contains { if case .download = $0 { true } else { false } }
        let wasHeld = state.heldBackups ?? []
        if archive.heldBackups != wasHeld { actions.append(.noteHolds(archive.heldBackups)) }
        let released = !wasHeld.isSubset(of: archive.heldBackups)
        if willDownload || state.pruneDue || released { actions.append(.prune) }
        if !willDownload { actions += freshnessActions(desired, archive: archive, state: state, now: now) }
        return actions
    }

    /// What an observation does to the recorded requests: resolves an unconfirmed POST
    /// (confirming an immediate one), forgets a settled immediate request. Nil when an
    /// unconfirmed POST is newer than the observation (no POST before a newer one).
    static func requestActions(remote: RemoteObservation, archive: ArchiveObservation, state: OrgState, now: Date) -> [Action]? {
        var actions: [Action] = []
        if let request = state.immediateRequest, immediateSettled(request, remote: remote, archive: archive, now: now) {
            actions.append(.forgetImmediate)
        }
        if let pending = state.pendingPost {
            guard remote.observedAt > pending.sentAt else { return nil }
            let took = pendingTookEffect(pending, remote.job)
            if took, pending.rrule == nil, let job = remote.job {
                actions.append(.confirmImmediate(jobID: job.id))
            } else {
                actions.append(.resolvePending(tookEffect: took))
            }
        }
        return actions
    }

    /// What a request's bookkeeping action does to the state (other actions change nothing here).
    public static func record(_ action: Action, in state: OrgState) -> OrgState {
        var next = state
        switch action {
        case .resolvePending:
            next.pendingPost = nil
        case .confirmImmediate(let id):
            if let pending = state.pendingPost {
                next.immediateRequest = OrgState.ImmediateRequest(sentAt: pending.sentAt, jobID: id, linksJobBefore: pending.linksJobBefore)
            }
            next.pendingPost = nil
        case .forgetImmediate:
            next.immediateRequest = nil
        default:
            break
        }
        return next
    }

    /// An immediate request is settled — a second `now` may request another — once the
    /// newest archived backup was first seen after the request and is not the backup whose
    /// links Zoho listed before it, once Zoho shows its job failed, or after ``immediateForgetAfter``.
    public static func immediateSettled(_ request: OrgState.ImmediateRequest, remote: RemoteObservation,
                                        archive: ArchiveObservation, now: Date) -> Bool {
        if let newest = archive.newestBackup, newest >= request.sentAt, archive.newestJobID != request.linksJobBefore { return true }
        if let job = remote.job, job.id == request.jobID, job.status == .failed { return true }
        return now.timeIntervalSince(request.sentAt) > immediateForgetAfter
    }

    /// How long an immediate request is remembered at most: Zoho's links last about a week
    /// after the backup completes, and a backup takes hours; after 8 days it is archived,
    /// reported lost, or never happened.
    public static let immediateForgetAfter: TimeInterval = 8 * 86_400

    /// Whether Zoho shows the effect of a POST: `GET /backup` names a job it did not name before.
    static func pendingTookEffect(_ pending: OrgState.PendingPost, _ job: BackupJob?) -> Bool {
        guard let job else { return false }
        return job.id != pending.jobIDBefore
    }

    // MARK: - Zoho's schedule

    static func scheduleActions(_ desired: Desired, job: BackupJob?, mayPost: Bool, quotaBlockedUntil: Date?) -> [Action] {
        switch desired.schedule {
        case .unmanaged:
            return []
        case .none:
            if let job, job.isPendingImmediate {
                return [.wait(.oneOffPending(jobID: job.id, status: job.status, thenSchedule: false))]
            }
            guard let job, job.isActiveRecurring else { return [] }
            if job.status == .inProgress {
                return [.wait(.occurrenceRunning(rrule: job.rrule, replaceWith: nil))]
            }
            // Like a POST, a cancel waits for an observation newer than the last refused or unconfirmed request.
            guard mayPost else { return [] }
            return [.cancel(jobID: job.id, rrule: job.rrule)]
        case .rrule(let rule):
            if let job, job.isPendingImmediate {
                return [.wait(.oneOffPending(jobID: job.id, status: job.status, thenSchedule: true))]
            }
            var actions: [Action] = []
            if let job, job.isActiveRecurring {
                if sameRule(job.rrule, rule) { return [] }
                if job.status == .inProgress {
                    return [.wait(.occurrenceRunning(rrule: job.rrule, replaceWith: rule.normalized))]
                }
                if let until = quotaBlockedUntil {
                    return [.wait(.quotaBlocksReplacement(current: job.rrule, desired: rule.normalized, until: until, zone: desired.timeZone))]
                }
                guard mayPost else { return [] }
                actions.append(.cancel(jobID: job.id, rrule: job.rrule))
            }
            if let until = quotaBlockedUntil {
                return [.wait(.quotaUsedUp(until: until, zone: desired.timeZone))]
            }
            guard mayPost else { return actions }
            actions.append(.schedule(rule))
            return actions
        }
    }

    /// Whether the org is busy and is looked at again soon: a job runs or a one-off is pending
    /// in Zoho, a request is unconfirmed or was refused as already scheduled, or links wait
    /// to be downloaded.
    public static func isBusy(remote: RemoteObservation, state: OrgState, actions: [Action]) -> Bool {
        remote.job.map { $0.status == .inProgress || $0.isPendingImmediate } == true
            || state.pendingPost != nil || state.alreadyScheduledAt != nil
            || actions.contains { if case .download = $0 { true } else { false } }
    }

    /// Whether Zoho's rule text means `rule` (same normal form). A rule outside the subset differs.
    static func sameRule(_ text: String?, _ rule: RRule) -> Bool {
        // Zoho may answer without the `RRULE:` prefix the policy requires.
        guard let text, let theirs = try? RRule(parsing: text, requirePrefix: false) else { return false }
        return theirs.normalized == rule.normalized
    }

    // MARK: - Downloads

    static func downloadActions(_ desired: Desired, remote: RemoteObservation, archive: ArchiveObservation, state: OrgState, now: Date) -> [Action] {
        var seen = state.seenJobs
        var actions: [Action] = []
        if let problem = remote.linksProblem { actions.append(.reportUnreadableLinks(problem)) }
        if let id = remote.linksJobID, let urls = remote.urls, seen[id] == nil, !archive.knownJobs.contains(id), !state.lostJobs.contains(id) {
            // The job Zoho shows as the links appear is the one that made them.
            let job = OrgState.SeenJob(jobID: id, links: urls.links, expiry: urls.expiryDate, firstSeen: remote.observedAt,
                                       rrule: remote.job?.rrule, kind: remote.job.map { BackupKind(rrule: $0.rrule) })
            seen[id] = job
            actions.append(.noteLinks(job))
        }
        var downloads: [Action.Download] = []
        for job in seen.values.sorted(by: { ($0.firstSeen, $0.jobID) < ($1.firstSeen, $1.jobID) }) {
            guard !archive.knownJobs.contains(job.jobID), !state.lostJobs.contains(job.jobID) else { continue }
            if let expiry = job.expiry, expiry <= now {
                // Lost means: links gone and nothing complete on disk.
                actions.append(archive.completeJobs.contains(job.jobID) ? .commitComplete(jobID: job.jobID)
                                                                       : .reportLost(jobID: job.jobID, expiry: expiry))
                continue
            }
            let urgent = job.expiry.map { $0.timeIntervalSince(now) < urgentWithin } ?? false
            downloads.append(.init(jobID: job.jobID, links: desired.archivedLinks(job.links), expiry: job.expiry, completedAt: job.firstSeen,
                                   resume: archive.partialJobs.contains(job.jobID), urgent: urgent, rrule: job.rrule, kind: job.kind))
        }
        // Urgent first; otherwise oldest first (the order is stable).
        let ordered = downloads.filter(\.urgent) + downloads.filter { !$0.urgent }
        return actions + ordered.map(Action.download)
    }

    // MARK: - Freshness

    static func freshnessActions(_ desired: Desired, archive: ArchiveObservation, state: OrgState, now: Date) -> [Action] {
        let freshness = Freshness.evaluate(newestBackup: archive.newestBackup, watchingSince: state.watchingSince,
                                           maxAge: desired.maxAge, now: now)
        if freshness.isAlarm, !state.freshnessAlarm { return [.raiseFreshnessAlarm(freshness)] }
        if !freshness.isAlarm, state.freshnessAlarm { return [.clearFreshnessAlarm] }
        return []
    }
}
