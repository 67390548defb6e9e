import Foundation
import ZohoModel

extension Reconcile {
    /// The state to save before a POST is sent: the intent, so that a crash or an unanswered
    /// request never leads to a second POST before an observation says what Zoho did.
    public static func beforePost(rule: String?, jobBefore: String?, to state: OrgState, now: Date) -> OrgState {
        var next = state
        next.pendingPost = OrgState.PendingPost(rrule: rule, sentAt: now, jobIDBefore: jobBefore)
        return next
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
                let report = failed(failure, counts: [.zohoFailure])
                return (next, [report])
            }
        case .cancelled(let id, let rule, let already):
            guard !already else { return (next, []) }
            return (next, [Report(.notice, "[\(org)] cancelled Zoho's recurring schedule \(rule ?? "") (job \(id))", event: .scheduleChanged, jobID: id)])
        case .cancelFailed(_, let failure):
            // Running or gone: the next observation decides again; nothing to alarm about.
            if failure.kind == .notNow { return (next, [Report(.info, "[\(org)] \(failure.message)")]) }
            let report = failed(failure, counts: [.zohoFailure])
            return (next, [report])
        }
    }
}
