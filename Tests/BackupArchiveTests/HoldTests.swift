import BackupArchive
import Foundation
import Testing
import ZohoModel

/// Holds: a held backup survives every retention rule; an expired or released hold does not;
/// a damaged holds file stops retention instead of counting as "no hold".
@Suite("Holds and retention")
struct HoldTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let lastOne = RetentionCounts(last: 1, weekly: 0, monthly: 0, yearly: 0)

    @Test("Retention.decide: a held backup is kept with its reason, beside what the counts keep")
    func decideKeepsHeld() {
        let day = 86_400.0
        let backups = (0..<4).map { Retention.Candidate(id: "b\($0)", completedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double($0) * day)) }
        let decisions = Retention.decide(backups, keep: Self.lastOne, timeZone: Self.utc, held: ["b1": "last backup before the mass change of Contacts on 2027-01-15"])
        #expect(decisions.map(\.id) == ["b3", "b2", "b1", "b0"])
        #expect(decisions.map(\.keep) == [true, false, true, false])
        #expect(decisions[2].reasons == ["held — last backup before the mass change of Contacts on 2027-01-15"])
        #expect(decisions[0].reasons == ["last #1"], "the newest is kept by the count, not by a hold")
    }

    @Test("prune keeps a held backup until its hold ends: released, or expired")
    func pruneRespectsHolds() async throws {
        try await ArchiveHarness.run { h async throws in
            let backups = try await PruneTests.archived(h, count: 3)
            let folder = h.folder()
            let now = h.clock.date
            try folder.updateHolds(now: now) { file in
                file.holds = [Hold(backup: backups[0].name, jobID: backups[0].manifest.jobID, kind: .manual, reason: "legal hold 2027-04", createdAt: now),
                              Hold(backup: backups[1].name, jobID: backups[1].manifest.jobID, kind: .massChange, reason: "before the mass change",
                                   createdAt: now, expiresAt: now.addingTimeInterval(10 * 86_400))]
            }
            let dry = try folder.prune(keep: Self.lastOne, timeZone: Self.utc, now: now, dryRun: true)
            #expect(dry.map(\.decision.keep) == [true, true, true])
            #expect(dry[1].decision.reasons == ["held — before the mass change"] && dry[2].decision.reasons == ["held — legal hold 2027-04"])
            _ = try folder.prune(keep: Self.lastOne, timeZone: Self.utc, now: now, dryRun: false)
            #expect(folder.backups().count == 3, "nothing held is removed")

            // Eleven days later the mass-change hold has expired; the legal hold has not.
            let later = now.addingTimeInterval(11 * 86_400)
            #expect(try folder.holds().active(at: later).keys.sorted() == [backups[0].name])
            _ = try folder.prune(keep: Self.lastOne, timeZone: Self.utc, now: later, dryRun: false)
            #expect(folder.backups().map(\.name) == [backups[0].name, backups[2].name])
            #expect(try folder.holds().holds.map(\.kind) == [.manual], "the expired hold is dropped from the file")

            // Released by hand: the next prune removes it.
            try folder.updateHolds(now: later) { $0.holds.removeAll() }
            _ = try folder.prune(keep: Self.lastOne, timeZone: Self.utc, now: later, dryRun: false)
            #expect(folder.backups().map(\.name) == [backups[2].name])
        }
    }

    @Test("a damaged holds file: retention removes nothing and says why")
    func damagedHoldsStopRetention() async throws {
        try await ArchiveHarness.run { h async throws in
            _ = try await PruneTests.archived(h, count: 3)
            let folder = h.folder()
            try Data("{ not json".utf8).write(to: URL(fileURLWithPath: folder.holdsPath))
            #expect {
                try folder.prune(keep: Self.lastOne, timeZone: Self.utc, now: h.clock.date, dryRun: false)
            } throws: { error in
                "\(error)".contains(".holds.json is damaged")
            }
            #expect(folder.backups().count == 3)
        }
    }

    @Test(arguments: [
        (["Id", "Name", "Phone"], ["Id", "Name", "Phone"], ColumnChanges(added: [], removed: [], renamed: []), false),
        (["Id", "Name"], ["Id", "Name", "Budget 2027"], ColumnChanges(added: ["Budget 2027"], removed: [], renamed: []), true),
        (["Id", "Name", "Phone"], ["Id", "Name"], ColumnChanges(added: [], removed: ["Phone"], renamed: []), true),
        (["Id", "Name", "Phone"], ["Id", "Name", "Mobile"], ColumnChanges(added: [], removed: [], renamed: [.init(from: "Phone", to: "Mobile")]), true),
        (["Id", "Name", "Phone"], ["Id", "Phone", "Name"], ColumnChanges(added: [], removed: [], renamed: []), false),
        (["Id", "Name", "Phone"], ["Id", "Email", "Name"], ColumnChanges(added: ["Email"], removed: ["Phone"], renamed: []), true),
        (["Record Id", "Last Name"], ["ID record", "Cognome"], ColumnChanges(added: [], removed: [], renamed: [.init(from: "Record Id", to: "ID record"), .init(from: "Last Name", to: "Cognome")]), true),
    ])
    func columnChanges(older: [String], newer: [String], expected: ColumnChanges, changesHashes: Bool) {
        let got = ColumnChanges(from: older, to: newer)
        #expect(got == expected)
        #expect(got.changesHashes == changesHashes)
    }
}
