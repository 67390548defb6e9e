import Foundation
import Reconcile
import Testing
import ZohoModel

/// The mass-change decision: which modules of a comparison cross the org's limits, and what
/// `apply(.compared)` reports for it — every rule a row.
@Suite("Reconcile.massChanges")
struct MassChangeTests {
    typealias F = ReconcileTableTests
    typealias M = Comparison.Module

    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var modules: [M]
        var limits: MassChangeLimits = .default
        /// `module kind count/of`.
        var expected: [String]
        var testDescription: String { rule }
    }

    static func both(_ name: String, _ older: Int, deleted: Int = 0, changed: Int = 0, added: Int = 0, comparable: Bool = true) -> M {
        M(name: name, olderRecords: older, newerRecords: older - deleted + added, added: added, deleted: deleted, changed: changed,
          changedComparable: comparable, headerChange: comparable ? nil : "column Phone renamed to Mobile")
    }

    static let rows: [Case] = [
        Case(rule: "4 % deleted: under the default 5 %, nothing", modules: [both("Contacts", 1_000, deleted: 40)], expected: []),
        Case(rule: "exactly 5 % deleted: not more than the limit, nothing", modules: [both("Contacts", 1_000, deleted: 50)], expected: []),
        Case(rule: "5.1 % deleted: a mass deletion", modules: [both("Contacts", 1_000, deleted: 51)], expected: ["Contacts deleted 51/1000"]),
        Case(rule: "30 % deleted", modules: [both("Contacts", 41_200, deleted: 12_360)], expected: ["Contacts deleted 12360/41200"]),
        Case(rule: "30 % changed: over the default 20 %", modules: [both("Deals", 500, changed: 150)], expected: ["Deals changed 150/500"]),
        Case(rule: "19 % changed: nothing", modules: [both("Deals", 500, changed: 95)], expected: []),
        Case(rule: "both limits crossed in one module: two findings", modules: [both("Leads", 200, deleted: 20, changed: 100)],
             expected: ["Leads deleted 20/200", "Leads changed 100/200"]),
        Case(rule: "a module under min_records is ignored, however much it lost", modules: [both("Vendors", 99, deleted: 99)], expected: []),
        Case(rule: "min_records is the older backup's count", modules: [both("Vendors", 100, deleted: 60)], expected: ["Vendors deleted 60/100"]),
        Case(rule: "max_deleted off: deletions raise nothing", modules: [both("Contacts", 1_000, deleted: 900)],
             limits: .init(maxDeleted: nil, maxChanged: 0.2, minRecords: 100, holdDays: 90), expected: []),
        Case(rule: "max_changed off: changes raise nothing", modules: [both("Contacts", 1_000, changed: 900)],
             limits: .init(maxDeleted: 0.05, maxChanged: nil, minRecords: 100, holdDays: 90), expected: []),
        Case(rule: "a renamed column alone: every record with a value there changed, reported, not alarmed",
             modules: [both("Leads", 1_000, changed: 1_000, comparable: false)], expected: []),
        Case(rule: "a renamed column does not hide deletions", modules: [both("Leads", 1_000, deleted: 100, changed: 900, comparable: false)],
             expected: ["Leads deleted 100/1000"]),
        Case(rule: "a module whose file could not be read to its end is not judged (its counts are lower bounds)",
             modules: [M(name: "Contacts", olderRecords: 1_000, newerRecords: 500, added: 0, deleted: 500, changed: 0, incomplete: true)], expected: []),
        Case(rule: "added records never alarm", modules: [both("Leads", 1_000, added: 5_000)], expected: []),
        Case(rule: "a module that vanished lost all its records",
             modules: [M(name: "Cases", olderRecords: 300, newerRecords: 0, added: 0, deleted: 300, changed: 0, vanished: true)],
             expected: ["Cases deleted 300/300"]),
        Case(rule: "a module that vanished while one about as large appeared: renamed, not alarmed",
             modules: [M(name: "Accounts", olderRecords: 300, newerRecords: 0, added: 0, deleted: 300, changed: 0, vanished: true),
                       M(name: "Clienti", olderRecords: 0, newerRecords: 290, added: 290, deleted: 0, changed: 0, appeared: true)],
             expected: []),
        Case(rule: "a module that appeared is never judged",
             modules: [M(name: "Projects", olderRecords: 0, newerRecords: 5_000, added: 5_000, deleted: 0, changed: 0, appeared: true)],
             expected: []),
        Case(rule: "a custom limit: 1 % deleted with max_deleted 0.5 %", modules: [both("Contacts", 10_000, deleted: 100)],
             limits: .init(maxDeleted: 0.005, maxChanged: 0.2, minRecords: 100, holdDays: 90), expected: ["Contacts deleted 100/10000"]),
    ]

    @Test(arguments: rows)
    func massChanges(_ c: Case) {
        let comparison = Comparison(older: "A", olderJobID: "1", newer: "B", newerJobID: "2", newerCompletedAt: F.now, modules: c.modules)
        let found = Reconcile.massChanges(in: comparison, limits: c.limits).map { "\($0.module) \($0.kind.rawValue) \($0.count)/\($0.of)" }
        #expect(found == c.expected)
    }

    static let comparison = Comparison(older: "2026-11-20T093000Z_1", olderJobID: "1", newer: "2026-11-27T093000Z_2", newerJobID: "2",
                                       newerCompletedAt: F.now, modules: [both("Contacts", 41_200, deleted: 3_120), both("Deals", 500, changed: 3)])

    @Test("a mass change: one critical report with its event and journal fields, the held backup named, the records counted")
    func alarmReport() {
        let (state, reports) = Reconcile.apply(.compared(Self.comparison, holdFailure: nil), to: F.state(), desired: F.policyFR, now: F.now)
        #expect(state.lastCompared == "2" && state.lastError == nil)
        try? #require(reports.count == 1)
        let report = reports[0]
        #expect(report.level == .critical && report.event == .massChange && report.jobID == "2" && !report.isError)
        #expect(report.message == "[acme] mass change: Contacts lost 3,120 of 41,200 records (7.6 %) between backup 2026-11-20T093000Z_1 and backup 2026-11-27T093000Z_2; backup 2026-11-20T093000Z_1 is held")
        #expect(report.fields["module"] == "Contacts" && report.fields["held_backup"] == "2026-11-20T093000Z_1" && report.fields["records_deleted"] == "3120")
        #expect(report.counts == [.records(module: "Contacts", records: 38_080, deleted: 3_120, changed: 0),
                                  .records(module: "Deals", records: 500, deleted: 0, changed: 3)])
    }

    @Test("a mass change whose hold could not be written: an error the admin can act on (hold by hand)")
    func holdFailed() {
        let (state, reports) = Reconcile.apply(.compared(Self.comparison, holdFailure: "disk full"), to: F.state(), desired: F.policyFR, now: F.now)
        #expect(reports.first?.isError == true && reports.first?.message.contains("could not be held (disk full)") == true)
        #expect(state.lastCompared == nil, "not held: the pair is compared again next time, and retention waits")
        #expect(state.lastError?.kind == "holdFailed" && state.lastError?.hint.contains("zoho-crm-backup hold --org acme 2026-11-20T093000Z_1") == true)
    }

    @Test("no mass change: one info line, and a header change is a notice of its own, not an alarm")
    func quiet() {
        let c = Comparison(older: "A", olderJobID: "1", newer: "B", newerJobID: "2", newerCompletedAt: F.now,
                           modules: [Self.both("Leads", 1_000, deleted: 10, changed: 1_000, added: 5, comparable: false)])
        let (_, reports) = Reconcile.apply(.compared(c, holdFailure: nil), to: F.state(), desired: F.policyFR, now: F.now)
        #expect(reports.map(\.level) == [.info, .notice])
        #expect(reports.allSatisfy { $0.event == nil })
        #expect(reports[0].message == "[acme] backup 2 against the one before it (A): Leads +5 −10 ~1,000")
        #expect(reports[1].message == "[acme] Leads: column Phone renamed to Mobile between backup A and backup B (every record with a value there shows as changed: reported, not an alarm)")
    }

    @Test("holds: a change of the held backups is noted; a release makes retention due")
    func holdsNoted() {
        let remote = F.remote(nil)
        let held = Reconcile.decide(F.policyNone, remote: remote, archive: ArchiveObservation(heldBackups: ["A"]), state: F.state(), now: F.now)
        #expect(held == [.noteHolds(["A"])], "a new hold: noted, no retention")
        let released = Reconcile.decide(F.policyNone, remote: remote, archive: ArchiveObservation(),
                                        state: F.state { $0.heldBackups = ["A"] }, now: F.now)
        #expect(released == [.noteHolds([]), .prune], "a release: noted, and retention runs")
        let same = Reconcile.decide(F.policyNone, remote: remote, archive: ArchiveObservation(heldBackups: ["A"]),
                                    state: F.state { $0.heldBackups = ["A"] }, now: F.now)
        #expect(same.isEmpty)
    }
}
