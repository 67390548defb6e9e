import Foundation
import ZohoModel

extension Reconcile {
    /// The state to save before a POST is sent: the intent, so that a crash or an unanswered
    /// request never leads to a second POST before an observation says what Zoho did.
    /// `linksJobBefore`: for an immediate backup, the job of the links Zoho lists now.
    public static func beforePost(rule: String?, jobBefore: String?, linksJobBefore: String? = nil, to state: OrgState, now: Date) -> OrgState {
        var next = state
        next.pendingPost = OrgState.PendingPost(rrule: rule, sentAt: recordTime(now), jobIDBefore: jobBefore,
                                                linksJobBefore: rule == nil ? linksJobBefore : nil)
        return next
    }

    /// A time as the request files keep it: whole seconds (their JSON has no fraction), rounded
    /// up — so the record in memory equals the one on disk (writers compare them), and an
    /// observation made in the second of the send never counts as newer than it.
    public static func recordTime(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.up))
    }

    /// What an outcome does to the org's state, and what is reported. Pure: the shell saves
    /// the state and carries out the reports.
    public static func apply(_ outcome: Outcome, to state: OrgState, desired: Desired, now: Date) -> (OrgState, [Report]) {
        var next = state
        let org = desired.org
        // Each case computes its report (which records the error in `next`) before returning `next`.
        func failed(_ failure: Outcome.Failure, hint: String? = nil, level: Report.Level = .error, counts: [Report.Count] = []) -> Report {
            let jobID = failure.jobID
            next.lastError = OrgState.LastError(kind: failure.name, message: failure.message, hint: hint ?? failure.hint, at: now, jobID: jobID)
            return Report(level, failure.message, event: failure.kind == .credentials ? .credentialsRejected : nil, jobID: jobID,
                          isError: true, counts: counts)
        }
        switch outcome {
        case .postAccepted(let rule, let id):
            if rule == nil {
                // Remembered until settled: a second `now` reports it instead of spending another backup.
                next.immediateRequest = OrgState.ImmediateRequest(sentAt: state.pendingPost?.sentAt ?? recordTime(now), jobID: id,
                                                                  linksJobBefore: state.pendingPost?.linksJobBefore)
            }
            next.pendingPost = nil
            return (next, [Report(.notice, "[\(org)] \(rule.map { "scheduled \($0) in Zoho" } ?? "an immediate backup was requested in Zoho") (job \(id))",
                                  event: .scheduleChanged, jobID: id)])
        case .postFailed(_, let failure):
            switch failure.kind {
            case .ambiguous:
                // Keep the intent: the next observation says whether it took effect.
                let report = failed(failure, level: .warning)
                return (next, [report])
            case .alreadyScheduled:
                next.pendingPost = nil
                next.alreadyScheduledAt = now
                let report = failed(failure, hint: "The daemon observes Zoho again before any other request.", level: .warning)
                return (next, [report])
            case .limitExceeded:
                next.pendingPost = nil
                let until = Quota.nextMonthStart(after: now, timeZone: desired.timeZone)
                next.quotaBlockedUntil = until
                let hint = "No backup request is sent to Zoho before \(ISO8601DateFormatter().string(from: until)) (the next month in \(desired.timeZone.identifier))."
                let report = failed(failure, hint: hint, counts: [.quotaError])
                return (next, [report])
            case .notNow, .credentials, .other:
                next.pendingPost = nil
                let report = failed(failure, counts: [.failure("zoho")])
                return (next, [report])
            }
        case .cancelled(let id, let rule, let already):
            guard !already else { return (next, []) }
            return (next, [Report(.notice, "[\(org)] cancelled Zoho's recurring schedule \(rule ?? "") (job \(id))", event: .scheduleChanged, jobID: id)])
        case .cancelFailed(_, let failure):
            // Running or gone: the next observation decides again; nothing to alarm about.
            if failure.kind == .notNow { return (next, [Report(.info, "[\(org)] \(failure.message)")]) }
            let report = failed(failure, counts: [.failure("zoho")])
            return (next, [report])
        case .archived(let a):
            next.seenJobs[a.jobID] = nil
            next.pruneDue = true
            // A lost backup stays the headline until a newer one is archived.
            if next.lastError?.kind == OrgState.linksExpiredKind { next.lastError = nil }
            next.lastArchived = a.name
            let text = "[\(org)] archived backup \(a.jobID): \(a.parts) part\(a.parts == 1 ? "" : "s"), \(a.bytes) bytes, verified, in \(a.folder)"
                + (a.fromDisk ? " (committed from .partial/, where it was complete)" : "")
            return (next, [Report(.notice, text, event: .backupArchived, jobID: a.jobID, counts: [.archived(bytes: a.bytes, parts: a.parts)])])
        case .archiveFailed(_, let failure, let countedAs):
            var report = failed(failure, counts: [.failure(countedAs)])
            report.event = .backupFailed
            return (next, [report])
        case .linksLost(let id, let expiry):
            next.lostJobs = Array((next.lostJobs + [id]).suffix(100))
            next.seenJobs[id] = nil
            let when = expiry.map { ISO8601DateFormatter().string(from: $0) } ?? "before it could be downloaded"
            let message = "[\(org)] lost: links expired — backup \(id) was not archived before its links expired (\(when))"
            next.lastError = OrgState.LastError(
                kind: OrgState.linksExpiredKind, message: message,
                hint: "This backup cannot be downloaded any more. Look at the errors logged for this org before it (disk, network, credentials), fix them, and start a new backup with `zoho-crm-backup now --org \(org)` if one is needed before the next scheduled one.",
                at: now, jobID: id)
            return (next, [Report(.critical, message, event: .linksExpired, jobID: id, isError: true, counts: [.failure("links_expired")])])
        case .pruned(let removed):
            next.pruneDue = false
            return (next, removed.map {
                Report(.notice, "[\(org)] retention removed backup \($0.backup) (\($0.reasons.joined(separator: ", ")))",
                       event: .retentionRemoved, jobID: $0.jobID)
            })
        case .quarantined(let id, let files, let folder):
            let text = "[\(org)] backup \(id): its links expired; Zoho's bytes of \(files.joined(separator: ", ")) are kept in \(folder) (QUARANTINE.json says which verified). The daemon never deletes them: check them with unzip -t and remove the folder when done."
            return (next, [Report(.critical, text, event: .partsQuarantined, jobID: id)])
        case .problem(let failure, let countedAs):
            let report = failed(failure, counts: countedAs.map { [.failure($0)] } ?? [])
            return (next, [report])
        case .linksUnreadable(let problem):
            let message = "[\(org)] Zoho's download links are not understood: \(problem)"
            next.lastError = OrgState.LastError(
                kind: "linksUnreadable", message: message,
                hint: "Nothing can be downloaded while this lasts. Download the backup from Zoho's web UI before its links expire, and report this message: Zoho may have changed its link format.",
                at: now, jobID: nil)
            return (next, [Report(.error, message, event: .linksUnreadable, isError: true, counts: [.failure("links_unreadable")])])
        }
    }
}
