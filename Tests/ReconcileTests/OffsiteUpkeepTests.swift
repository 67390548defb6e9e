import Foundation
import Reconcile
import Testing
import ZohoModel

/// When the off-site upkeep falls due: retention once a day after a copy, prune once per
/// repository at most daily and only after something was forgotten, the check every
/// `offsite.check.every`; what a moved or re-made repository forgets. Pure, as tables.
@Suite("Off-site upkeep: when it is due")
struct OffsiteUpkeepDueTests {
    static let now = OffsiteDecisionTests.now
    static func hours(_ h: Double) -> Date { now.addingTimeInterval(-h * 3600) }

    static func state(copied: Bool, forgot: Date?) -> OffsiteState {
        var state = OffsiteDecisionTests.copied(copied ? [1] : [])
        if copied { state.lastCopy = state.copies["job1"] }
        state.lastForget = forgot
        return state
    }

    @Test("forget: never before a first copy; then at once, and once a day", arguments: [
        (false, nil as Double?, false),
        (true, nil, true),
        (true, 23.9, false),
        (true, 24.0, true),
        (true, 200.0, true),
    ])
    func forget(copied: Bool, forgotHoursAgo: Double?, due: Bool) {
        #expect(Reconcile.offsiteForgetDue(Self.state(copied: copied, forgot: forgotHoursAgo.map(Self.hours)), now: Self.now) == due)
    }

    @Test("prune: the first time at once; then only when a forget came after the last prune, and a day after it", arguments: [
        (nil as Double?, 0.0, true),
        (30.0, 1.0, true),       // forgot an hour ago, pruned 30 h ago
        (30.0, 31.0, false),     // nothing forgotten since the last prune
        (12.0, 1.0, false),      // pruned 12 h ago: a second prune waits for the day
        (24.0, 0.5, true),
    ])
    func prune(prunedHoursAgo: Double?, forgotHoursAgo: Double, due: Bool) {
        #expect(Reconcile.offsitePruneDue(lastPrune: prunedHoursAgo.map(Self.hours), newestForget: Self.hours(forgotHoursAgo), now: Self.now) == due)
    }

    @Test("a repository moved or made anew: the copies recorded no longer count, nor whether it refuses deletes; the same one keeps them")
    func repositoryChanged() {
        var state = Self.state(copied: true, forgot: Self.hours(2))
        state.repository = "/srv/restic/acme"
        state.repositoryID = "id-1"
        state.appendOnly = true
        let desired = OffsiteDecisionTests.desired
        let same = Reconcile.offsiteRepository("/srv/restic/acme", id: "id-1", state: state, desired: desired, now: Self.now)
        #expect(same.0.copies.count == 1 && same.0.appendOnly == true && same.1 == nil)
        let moved = Reconcile.offsiteRepository("rest:https://nas.example.org/acme", id: nil, state: state, desired: desired, now: Self.now)
        #expect(moved.0.copies.isEmpty && moved.0.lastCopy == nil && moved.0.appendOnly == nil && moved.1?.level == .warning)
        let remade = Reconcile.offsiteRepository("/srv/restic/acme", id: "id-2", state: state, desired: desired, now: Self.now)
        #expect(remade.0.copies.isEmpty && remade.0.appendOnly == nil && remade.1?.message.contains("new one") == true)
    }

    @Test("check: never checked → at once; then every `every`", arguments: [
        (nil as Double?, 168.0, true),
        (167.0, 168.0, false),
        (168.0, 168.0, true),
        (2.0, 1.0, true),
    ])
    func check(checkedHoursAgo: Double?, everyHours: Double, due: Bool) {
        #expect(Reconcile.offsiteCheckDue(lastCheck: checkedHoursAgo.map(Self.hours), every: .seconds(everyHours * 3600), now: Self.now) == due)
    }
}
