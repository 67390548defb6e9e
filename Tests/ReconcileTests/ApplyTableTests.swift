import Foundation
import Reconcile
import Testing
import ZohoModel

/// What an outcome (a change to Zoho's schedule, a download, a loss) does to the org's state
/// and what is reported: every outcome × the state it meets, each row naming its rule.
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
        Case(rule: "immediate POST accepted: the intent becomes the org's immediate request (remembered until settled)",
             outcome: .postAccepted(rule: nil, jobID: "43"),
             state: F.state { $0.pendingPost = .init(rrule: nil, sentAt: F.now - 5, jobIDBefore: "1", linksJobBefore: "0") },
             expectedState: F.state { $0.immediateRequest = .init(sentAt: F.now - 5, jobID: "43", linksJobBefore: "0") },
             expected: [Report(.notice, "[acme] an immediate backup was requested in Zoho (job 43)", event: .scheduleChanged, jobID: "43")]),
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
             expected: [Report(.error, "[acme] invalidToken happened", event: .credentialsRejected, isError: true, counts: [.failure(.zoho)])]),
        Case(rule: "POST failed otherwise: no intent, the error with its job, counted",
             outcome: .postFailed(rule: nil, failure(.other, "server", job: "7")),
             expectedState: F.state { $0.lastError = lastError("server", job: "7") },
             expected: [Report(.error, "[acme] server happened", jobID: "7", isError: true, counts: [.failure(.zoho)])]),
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
             expected: [Report(.error, "[acme] network happened", isError: true, counts: [.failure(.zoho)])]),
        Case(rule: "archived: the job is done, retention is due, a lost-backup headline ends, counted with its bytes",
             outcome: .archived(.init(jobID: "5", name: "2027-01-15T080000Z_5", folder: "/a/2027-01-15T080000Z_5", parts: 3, bytes: 900, fromDisk: false)),
             state: F.state {
                 $0.seenJobs["5"] = F.seen("5", expiry: F.now + F.days(6), firstSeen: F.now - F.days(1))
                 $0.lastError = OrgState.LastError(kind: OrgState.linksExpiredKind, message: "lost", hint: "", at: F.now - 60, jobID: "4")
             },
             expectedState: F.state { $0.pruneDue = true; $0.lastArchived = "2027-01-15T080000Z_5" },
             expected: [Report(.notice, "[acme] archived backup 5: 3 parts, 900 bytes, verified, in /a/2027-01-15T080000Z_5",
                               event: .backupArchived, jobID: "5", counts: [.archived(bytes: 900, parts: 3)])]),
        Case(rule: "archived from .partial/: said so; another error stays the headline",
             outcome: .archived(.init(jobID: "5", name: "n", folder: "/a/n", parts: 1, bytes: 9, fromDisk: true)),
             state: F.state { $0.lastError = lastError("network") },
             expectedState: F.state { $0.pruneDue = true; $0.lastArchived = "n"; $0.lastError = lastError("network") },
             expected: [Report(.notice, "[acme] archived backup 5: 1 part, 9 bytes, verified, in /a/n (committed from .partial/, where it was complete)",
                               event: .backupArchived, jobID: "5", counts: [.archived(bytes: 9, parts: 1)])]),
        Case(rule: "archive failed: the org's error with its job, the backup-failed event, counted by kind",
             outcome: .archiveFailed(jobID: "5", failure(.other, "corruptPart", job: "5"), countedAs: .verify),
             state: F.state(), expectedState: F.state { $0.lastError = lastError("corruptPart", job: "5") },
             expected: [Report(.error, "[acme] corruptPart happened", event: .backupFailed, jobID: "5", isError: true, counts: [.failure(.verify)])]),
        Case(rule: "links lost: remembered once as lost, no longer waited for, the critical event",
             outcome: .linksLost(jobID: "5", expiry: F.date("2027-01-15T07:00:00Z")),
             state: F.state { $0.seenJobs["5"] = F.seen("5", expiry: F.now - 3600, firstSeen: F.now - F.days(7)) },
             expectedState: F.state {
                 $0.lostJobs = ["5"]
                 $0.lastError = OrgState.LastError(
                     kind: OrgState.linksExpiredKind,
                     message: "[acme] lost: links expired — backup 5 was not archived before its links expired (2027-01-15T07:00:00Z)",
                     hint: "This backup cannot be downloaded any more. Look at the errors logged for this org before it (disk, network, credentials), fix them, and start a new backup with `zoho-crm-backup now --org acme` if one is needed before the next scheduled one.",
                     at: F.now, jobID: "5")
             },
             expected: [Report(.critical, "[acme] lost: links expired — backup 5 was not archived before its links expired (2027-01-15T07:00:00Z)",
                               event: .linksExpired, jobID: "5", isError: true, counts: [.failure(.linksExpired)])]),
        Case(rule: "links unreadable: the org's error naming them, counted",
             outcome: .linksUnreadable(.severalJobs(["1", "2"])),
             state: F.state(),
             expectedState: F.state {
                 $0.lastError = OrgState.LastError(
                     kind: "linksUnreadable", message: "[acme] Zoho's download links are not understood: the links of one backup name 2 different jobs: 1, 2",
                     hint: "Nothing can be downloaded while this lasts. Download the backup from Zoho's web UI before its links expire, and report this message: Zoho may have changed its link format.",
                     at: F.now, jobID: nil)
             },
             expected: [Report(.error, "[acme] Zoho's download links are not understood: the links of one backup name 2 different jobs: 1, 2",
                               event: .linksUnreadable, isError: true, counts: [.failure(.linksUnreadable)])]),
        Case(rule: "retention ran: no longer due; each removed backup is a notice with its reasons",
             outcome: .pruned(removed: [.init(backup: "2027-01-01T093000Z_7", jobID: "7", reasons: ["beyond keep.last=2"])]),
             state: F.state { $0.pruneDue = true },
             expectedState: F.state(),
             expected: [Report(.notice, "[acme] retention removed backup 2027-01-01T093000Z_7 (beyond keep.last=2)", event: .retentionRemoved, jobID: "7")]),
        Case(rule: "retention ran and removed nothing: no longer due, nothing reported",
             outcome: .pruned(removed: []), state: F.state { $0.pruneDue = true }, expectedState: F.state(), expected: []),
        Case(rule: "parts quarantined: a critical report naming the job, files and folder; the state is unchanged",
             outcome: .quarantined(jobID: "5", files: ["Data_001.zip"], folder: "/a/.quarantine/5"),
             state: F.state(), expectedState: F.state(),
             expected: [Report(.critical, "[acme] backup 5: its links expired; Zoho's bytes of Data_001.zip are kept in /a/.quarantine/5 (QUARANTINE.json says which verified). The daemon never deletes them: check them with unzip -t and remove the folder when done.",
                               event: .partsQuarantined, jobID: "5")]),
        Case(rule: "Zoho not observed (credentials refused): the org's error, the credentials event, counted as zoho",
             outcome: .problem(failure(.credentials, "invalidRefreshToken"), countedAs: .zoho),
             state: F.state(), expectedState: F.state { $0.lastError = lastError("invalidRefreshToken") },
             expected: [Report(.error, "[acme] invalidRefreshToken happened", event: .credentialsRejected, isError: true, counts: [.failure(.zoho)])]),
        Case(rule: "the state folder cannot be written: the org's error, not counted; a pending request is untouched",
             outcome: .problem(failure(.other, "stateFolder"), countedAs: nil),
             expectedState: F.state { $0.pendingPost = pending; $0.lastError = lastError("stateFolder") },
             expected: [Report(.error, "[acme] stateFolder happened", isError: true)]),
    ]

    @Test(arguments: rows)
    func applies(_ c: Case) {
        let (state, reports) = Reconcile.apply(c.outcome, to: c.state, desired: F.policyFR, now: F.now)
        #expect(state == c.expectedState)
        // An error report carries the hint the state records (an alert sends it apart from the sentence).
        let expected = c.expected.map { report in
            var report = report
            if report.isError, report.hint == nil { report.hint = c.expectedState.lastError?.hint }
            return report
        }
        #expect(reports == expected)
    }

    @Test("before a POST: the intent, with the job Zoho showed before")
    func beforePost() {
        let state = Reconcile.beforePost(rule: F.fridays, jobBefore: "1", to: F.state(), now: F.now)
        #expect(state.pendingPost == OrgState.PendingPost(rrule: F.fridays, sentAt: F.now, jobIDBefore: "1"))
    }
}
