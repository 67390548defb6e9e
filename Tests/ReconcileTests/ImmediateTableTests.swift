import Foundation
import Reconcile
import Testing
import ZohoModel

/// What `now` does, decided from a fresh observation: Zoho's one-backup-at-a-time rules and
/// the recorded requests (one immediate backup at a time, never a second by accident).
@Suite("Reconcile.immediate")
struct ImmediateTableTests {
    typealias F = ReconcileTableTests

    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var desired = F.policyFR
        var job: BackupJob?
        var archive = ArchiveObservation()
        var state = F.state()
        var replace = false
        var expected: Immediate
        var bookkeeping: [Action] = []
        var testDescription: String { rule }
    }

    static let sentAt = F.sentAt
    static let request = OrgState.ImmediateRequest(sentAt: sentAt, jobID: F.newID, linksJobBefore: F.jobA)
    static let unconfirmed = OrgState.PendingPost(rrule: nil, sentAt: sentAt, jobIDBefore: F.jobA, linksJobBefore: F.jobA)
    static let completedOneOff = F.job(id: F.newID, rrule: nil, status: .completed)

    static let rows: [Case] = [
        Case(rule: "nothing in Zoho: request", job: nil, expected: .request(cancelFirst: nil)),
        Case(rule: "the last backup is finished: request", job: F.job(id: F.jobA, rrule: nil, status: .completed), expected: .request(cancelFirst: nil)),
        Case(rule: "a finished recurring rule (no next run): request",
             job: F.job(id: F.scheduleID, rrule: F.fridays, status: .completed), expected: .request(cancelFirst: nil)),
        Case(rule: "a one-off backup pending: refuse, it is archived when it completes",
             job: F.job(id: F.oneOffID, rrule: nil, status: .inProgress),
             expected: .refuse(.oneOffPending(jobID: F.oneOffID, status: .inProgress))),
        Case(rule: "an occurrence of the schedule runs: refuse even with --replace-schedule",
             job: F.recurring(F.fridays, status: .inProgress), replace: true,
             expected: .refuse(.occurrenceRunning(rrule: F.fridays))),
        Case(rule: "a recurring schedule without --replace-schedule: refuse, naming the next run",
             job: F.recurring(F.fridays),
             expected: .refuse(.scheduleInPlace(rrule: F.fridays, nextRun: F.nextFriday))),
        Case(rule: "a recurring schedule with --replace-schedule: cancel it first, then request",
             job: F.recurring(F.fridays), replace: true,
             expected: .request(cancelFirst: .init(jobID: F.scheduleID, rrule: F.fridays))),
        Case(rule: "--replace-schedule but the policy has no rule to restore: refuse",
             desired: F.policyUnmanaged, job: F.recurring(F.fridays), replace: true,
             expected: .refuse(.nothingToRestore(rrule: F.fridays, policySchedule: "unmanaged"))),
        Case(rule: "an unconfirmed request newer than the observation: refuse",
             job: nil, state: F.state { $0.pendingPost = .init(rrule: nil, sentAt: F.observedAt + 1, jobIDBefore: nil) },
             expected: .refuse(.unconfirmed(since: F.observedAt + 1))),
        Case(rule: "a killed now's request reached Zoho (a new job, completed): report it, send nothing; it is confirmed",
             job: completedOneOff, state: F.state { $0.pendingPost = unconfirmed },
             expected: .earlierRequest(request, job: completedOneOff),
             bookkeeping: [.confirmImmediate(jobID: F.newID)]),
        Case(rule: "a killed now's request never reached Zoho (same job as before): resolved, request again",
             job: F.job(id: F.jobA, rrule: nil, status: .completed), state: F.state { $0.pendingPost = unconfirmed },
             expected: .request(cancelFirst: nil), bookkeeping: [.resolvePending(tookEffect: false)]),
        Case(rule: "a daemon's schedule POST reached Zoho: resolved, then the schedule rules apply",
             job: F.recurring(F.fridays, id: F.newID),
             state: F.state { $0.pendingPost = .init(rrule: F.fridays, sentAt: sentAt, jobIDBefore: nil) },
             expected: .refuse(.scheduleInPlace(rrule: F.fridays, nextRun: F.nextFriday)), bookkeeping: [.resolvePending(tookEffect: true)]),
        Case(rule: "an immediate request not yet archived: report it (Zoho no longer shows its job), send nothing",
             job: F.recurring(F.fridays), state: F.state { $0.immediateRequest = request }, replace: true,
             expected: .earlierRequest(request, job: nil)),
        Case(rule: "an immediate request whose backup is archived: settled, request",
             job: completedOneOff, archive: .init(newestBackup: sentAt + 60), state: F.state { $0.immediateRequest = request },
             expected: .request(cancelFirst: nil), bookkeeping: [.forgetImmediate]),
        Case(rule: "an immediate request whose job failed in Zoho: settled, request",
             job: F.job(id: F.newID, rrule: nil, status: .failed), state: F.state { $0.immediateRequest = request },
             expected: .request(cancelFirst: nil), bookkeeping: [.forgetImmediate]),
    ]

    @Test(arguments: rows)
    func immediate(_ c: Case) {
        let remote = F.remote(c.job)
        let (decision, bookkeeping) = Reconcile.immediate(c.desired, remote: remote, archive: c.archive, state: c.state, replaceSchedule: c.replace)
        #expect(decision == c.expected)
        #expect(bookkeeping == c.bookkeeping)
    }

    @Test("each refusal says what is in the way and what to do")
    func refusalSentences() {
        #expect(Immediate.Refusal.scheduleInPlace(rrule: F.fridays, nextRun: nil).description.contains("--replace-schedule"))
        #expect(Immediate.Refusal.nothingToRestore(rrule: F.fridays, policySchedule: "none").description.contains("Zoho's web UI"))
        #expect(Immediate.Refusal.oneOffPending(jobID: "7", status: .scheduled).description.contains("job 7"))
        #expect(Immediate.Refusal.unconfirmed(since: F.now).description.contains("may or may not have reached Zoho"))
    }

    @Test("record: what each bookkeeping action does to the state")
    func record() {
        let pending = F.state { $0.pendingPost = Self.unconfirmed }
        #expect(Reconcile.record(.confirmImmediate(jobID: F.newID), in: pending) == F.state { $0.immediateRequest = Self.request })
        #expect(Reconcile.record(.resolvePending(tookEffect: true), in: pending) == F.state())
        #expect(Reconcile.record(.forgetImmediate, in: F.state { $0.immediateRequest = Self.request }) == F.state())
        #expect(Reconcile.record(.prune, in: pending) == pending)
    }
}
