import Foundation
import Reconcile
import Testing
import ZohoModel

/// What a change to Zoho's schedule's outcome does to the org's state and what is reported:
/// every outcome × the state it meets, each row naming its rule.
@Suite("Reconcile.apply")
struct ApplyTableTests {
    typealias F = ReconcileTableTests

    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var outcome: Outcome
        var state: OrgState = F.state { $0.pendingPost = ApplyTableTests.pending }
        var expectedState: OrgState
        var expected: [Report]
        var testDescription: String { rule }
    }

    static let pending = OrgState.PendingPost(rrule: F.fridays, sentAt: F.now - 5, jobIDBefore: "1")
    static func failure(_ kind: Outcome.Failure.Kind, _ name: String, job: String? = nil) -> Outcome.Failure {
        Outcome.Failure(kind, name: name, message: "[acme] \(name) happened", hint: "do \(name)", jobID: job)
    }
    static func lastError(_ name: String, hint: String? = nil, job: String? = nil) -> OrgState.LastError {
        OrgState.LastError(kind: name, message: "[acme] \(name) happened", hint: hint ?? "do \(name)", at: F.now, jobID: job)
    }

    static let rows: [Case] = [
        Case(rule: "POST accepted: the intent is done, the schedule change is reported",
             outcome: .postAccepted(rule: F.fridays, jobID: "42"),
             expectedState: F.state(),
             expected: [Report(.notice, "[acme] scheduled \(F.fridays) in Zoho (job 42)", event: .scheduleChanged, jobID: "42")]),
        Case(rule: "POST ambiguous: the intent is kept (the next observation decides), a warning",
             outcome: .postFailed(rule: F.fridays, failure(.ambiguous, "ambiguousPost")),
             expectedState: F.state { $0.pendingPost = pending; $0.lastError = lastError("ambiguousPost") },
             expected: [Report(.warning, "[acme] ambiguousPost happened", isError: true)]),
        Case(rule: "POST refused as already scheduled: no intent, observe first (alreadyScheduledAt), a warning",
             outcome: .postFailed(rule: F.fridays, failure(.alreadyScheduled, "alreadyScheduled")),
             expectedState: F.state {
                 $0.alreadyScheduledAt = F.now
                 $0.lastError = lastError("alreadyScheduled", hint: "The daemon observes Zoho again before any other request.")
             },
             expected: [Report(.warning, "[acme] alreadyScheduled happened", isError: true)]),
        Case(rule: "LIMIT_EXCEEDED: no intent, no request before next month in the org's zone, counted",
             outcome: .postFailed(rule: F.fridays, failure(.limitExceeded, "limitExceeded")),
             expectedState: F.state {
                 $0.quotaBlockedUntil = F.februaryInBerlin
                 $0.lastError = lastError("limitExceeded", hint: "No backup request is sent to Zoho before 2027-01-31T23:00:00Z (the next month in Europe/Berlin).")
             },
             expected: [Report(.error, "[acme] limitExceeded happened", isError: true, counts: [.quotaError])]),
        Case(rule: "POST refused credentials: no intent, the credentials event, counted",
             outcome: .postFailed(rule: F.fridays, failure(.credentials, "invalidToken")),
             expectedState: F.state { $0.lastError = lastError("invalidToken") },
             expected: [Report(.error, "[acme] invalidToken happened", event: .credentialsRejected, isError: true, counts: [.zohoFailure])]),
        Case(rule: "POST failed otherwise: no intent, the error with its job, counted",
             outcome: .postFailed(rule: nil, failure(.other, "server", job: "7")),
             expectedState: F.state { $0.lastError = lastError("server", job: "7") },
             expected: [Report(.error, "[acme] server happened", jobID: "7", isError: true, counts: [.zohoFailure])]),
        Case(rule: "cancel done: the schedule change is reported; nothing else changes",
             outcome: .cancelled(jobID: "9", rule: F.mondays, already: false),
             state: F.state(), expectedState: F.state(),
             expected: [Report(.notice, "[acme] cancelled Zoho's recurring schedule \(F.mondays) (job 9)", event: .scheduleChanged, jobID: "9")]),
        Case(rule: "cancel: already cancelled is a success, silently",
             outcome: .cancelled(jobID: "9", rule: F.mondays, already: true),
             state: F.state(), expectedState: F.state(), expected: []),
        Case(rule: "cancel while the job runs or is gone: no error, an info line (the next observation decides)",
             outcome: .cancelFailed(jobID: "9", failure(.notNow, "inProgress")),
             state: F.state(), expectedState: F.state(), expected: [Report(.info, "[acme] [acme] inProgress happened")]),
        Case(rule: "cancel failed otherwise: the org's error, counted",
             outcome: .cancelFailed(jobID: "9", failure(.other, "network")),
             state: F.state(), expectedState: F.state { $0.lastError = lastError("network") },
             expected: [Report(.error, "[acme] network happened", isError: true, counts: [.zohoFailure])]),
    ]

    @Test(arguments: rows)
    func applies(_ c: Case) {
        let (state, reports) = Reconcile.apply(c.outcome, to: c.state, desired: F.policyFR, now: F.now)
        #expect(state == c.expectedState)
        #expect(reports == c.expected)
    }

    @Test("before a POST: the intent, with the job Zoho showed before")
    func beforePost() {
        let state = Reconcile.beforePost(rule: F.fridays, jobBefore: "1", to: F.state(), now: F.now)
        #expect(state.pendingPost == OrgState.PendingPost(rrule: F.fridays, sentAt: F.now, jobIDBefore: "1"))
    }
}
