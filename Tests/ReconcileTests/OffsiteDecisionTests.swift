import Foundation
import Reconcile
import Testing
import ZohoModel

/// The off-site decisions as tables: what to copy next, the backoff, and what an outcome does
/// to the state and reports.
@Suite("Off-site decisions")
struct OffsiteDecisionTests {
    static let now = Date(timeIntervalSince1970: 1_795_167_000)
    static let desired = Desired(org: "acme", schedule: .none, maxAge: nil, timeZone: .gmt)

    static func backup(_ n: Int) -> LocalBackup {
        LocalBackup(name: "b\(n)", jobID: "job\(n)", completedAt: now.addingTimeInterval(Double(n) * 604_800))
    }

    static func copied(_ numbers: [Int]) -> OffsiteState {
        var state = OffsiteState()
        for n in numbers { state.copies["job\(n)"] = .init(backup: "b\(n)", snapshot: "s\(n)", copiedAt: now, bytesAdded: 1) }
        return state
    }

    @Test("the newest backup not yet copied goes first; none while the backoff lasts; the lag counts the rest", arguments: [
        ([1, 2, 3], [Int](), 0.0, Optional(3), 3),
        ([1, 2, 3], [3], 0.0, Optional(2), 2),
        ([1, 2, 3], [1, 2, 3], 0.0, nil, 0),
        ([1, 2, 3], [3], -60.0, nil, 2),          // next attempt a minute away
        ([1, 2, 3], [3], 60.0, Optional(2), 2),   // next attempt passed
        ([Int](), [Int](), 0.0, nil, 0),
    ])
    func next(local: [Int], copied: [Int], attemptAgo: Double, expected: Int?, lag: Int) {
        var state = Self.copied(copied)
        if attemptAgo != 0 { state.nextAttempt = Self.now.addingTimeInterval(-attemptAgo) }
        let backups = local.map(Self.backup)
        #expect(Reconcile.offsiteNext(backups, state: state, now: Self.now)?.jobID == expected.map { "job\($0)" })
        #expect(Reconcile.offsiteLag(backups, state: state) == lag)
    }

    @Test("a search before the copy only when a snapshot of the job can exist: a copy started and not confirmed, a backup older than the record, no record", arguments: [
        // (record began at week, copy started for, backup week, searched)
        (Optional(2.5), String?.none, 3, false),      // completed after the record began: it cannot be there
        (Optional(2.5), Optional("job3"), 3, true),   // its copy was cut short: restic may have made the snapshot
        (Optional(2.5), Optional("job1"), 3, false),  // another job's copy was
        (Optional(2.5), String?.none, 2, true),       // completed before the record began (a lost offsite.json)
        (Double?.none, String?.none, 3, true),        // no record time: always
    ])
    func searchFirst(since: Double?, started: String?, week: Int, searched: Bool) {
        var state = OffsiteState()
        state.since = since.map { Self.now.addingTimeInterval($0 * 604_800) }
        state.copyStarted = started
        #expect(Reconcile.offsiteSearchFirst(Self.backup(week), state: state) == searched)
        let (next, reports) = Reconcile.applyOffsite(.started(jobID: "job\(week)"), to: state, desired: Self.desired, now: Self.now)
        #expect(next.copyStarted == "job\(week)" && reports.isEmpty)
        let (copied, _) = Reconcile.applyOffsite(.copied(backup: "b\(week)", jobID: "job\(week)", snapshot: "s", bytesAdded: 1, bytesRead: 1, found: false,
                                                         repositorySize: nil), to: next, desired: Self.desired, now: Self.now)
        #expect(copied.copyStarted == nil, "a confirmed copy ends it")
    }

    @Test("backoff: 1, 2, 4 … minutes, at most 6 hours", arguments: [(1, 60.0), (2, 120.0), (3, 240.0), (9, 15_360.0), (10, 21_600.0), (40, 21_600.0)])
    func backoff(failures: Int, seconds: Double) {
        #expect(Reconcile.offsiteBackoff(failures: failures) == seconds)
    }

    @Test("a failure: counted every time, reported when it starts, changes or an hour later; a copy clears it")
    func failureThenCopy() {
        let fail = OffsiteOutcome.failed(jobID: "job1", kind: "locked", message: "restic backup failed: locked", hint: "unlock")
        var (state, reports) = Reconcile.applyOffsite(fail, to: OffsiteState(), desired: Self.desired, now: Self.now)
        #expect(reports.count == 1 && reports[0].level == .error && reports[0].event == .offsiteFailed && reports[0].counts == [.failure(.offsite)])
        #expect(reports[0].fields["offsite_error"] == "locked" && reports[0].message.contains("unlock") && reports[0].message.hasPrefix("[acme] "))
        #expect(state.consecutiveFailures == 1 && state.nextAttempt == Self.now.addingTimeInterval(60) && state.failure?.kind == "locked")

        (state, reports) = Reconcile.applyOffsite(fail, to: state, desired: Self.desired, now: Self.now.addingTimeInterval(120))
        #expect(reports.count == 1 && reports[0].level == .info && reports[0].event == nil && reports[0].counts == [.failure(.offsite)], "the same, within the hour")
        #expect(state.consecutiveFailures == 2 && state.failure?.reportedAt == Self.now)

        (state, reports) = Reconcile.applyOffsite(fail, to: state, desired: Self.desired, now: Self.now.addingTimeInterval(3_700))
        #expect(reports.first?.level == .error, "again after an hour")
        let other = OffsiteOutcome.failed(jobID: "job1", kind: "network", message: "restic backup failed: dial tcp", hint: "network")
        (state, reports) = Reconcile.applyOffsite(other, to: state, desired: Self.desired, now: Self.now.addingTimeInterval(3_800))
        #expect(reports.first?.level == .error && reports.first?.fields["offsite_error"] == "network", "a different error is reported at once")

        let done = OffsiteOutcome.copied(backup: "b1", jobID: "job1", snapshot: "abcd1234", bytesAdded: 500, bytesRead: 900, found: false, repositorySize: nil)
        (state, reports) = Reconcile.applyOffsite(done, to: state, desired: Self.desired, now: Self.now.addingTimeInterval(4_000))
        #expect(state.failure == nil && state.consecutiveFailures == 0 && state.nextAttempt == nil && state.copies["job1"]?.snapshot == "abcd1234")
        #expect(state.bytesAdded == 500 && state.lastCopy?.backup == "b1")
        #expect(reports.count == 1 && reports[0].event == .offsiteCopied && reports[0].counts == [.offsiteCopied(bytesAdded: 500)])
        #expect(reports[0].message.contains("after 4 failed attempts: network") && reports[0].fields["snapshot"] == "abcd1234")

        let found = OffsiteOutcome.copied(backup: "b2", jobID: "job2", snapshot: "ef567890", bytesAdded: nil, bytesRead: nil, found: true, repositorySize: nil)
        (state, reports) = Reconcile.applyOffsite(found, to: state, desired: Self.desired, now: Self.now.addingTimeInterval(4_100))
        #expect(reports[0].message.contains("was in the repository already") && state.bytesAdded == 500 && state.copies.count == 2)
    }
}
