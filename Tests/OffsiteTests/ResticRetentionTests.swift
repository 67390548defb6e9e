import Foundation
import Offsite
import Testing
import TestSupport
import ZohoModel

/// Off-site retention with the real restic: a year of weekly snapshots, `forget` with the
/// policy's counts grouped by host, a held snapshot kept; exactly these survive.
@Suite("restic retention, for real")
struct ResticRetentionTests {
    static func date(_ text: String) -> Date {
        let f = ISO8601DateFormatter()
        return f.date(from: text + "T09:30:00Z")!
    }

    @Test("a year of weekly snapshots: keep { last: 4, weekly: 8, monthly: 6, yearly: 1 } and the held one; another org untouched")
    func yearOfWeeklies() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        let s = try ResticRepositoryTests.Scratch()
        defer { s.remove() }
        try await s.restic.initialize()
        _ = try s.backupFolder("b", size: 1_000)
        // 52 Fridays of 2025, each its own folder name (as backups are), two at a time.
        let fridays = (0..<52).map { Self.date("2025-01-03").addingTimeInterval(Double($0) * 7 * 86_400) }
        let restic = s.restic, parent = s.root + "/archive"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, friday) in fridays.enumerated() {
                if index >= 2 { try await group.next() }
                group.addTask {
                    _ = try await restic.backup(folder: "b", in: parent, host: "acme", tags: ["org=acme", "job=\(index)"], time: friday)
                }
            }
            try await group.waitForAll()
        }
        _ = try await restic.backup(folder: "b", in: parent, host: "globex", tags: ["org=globex", "job=x"], time: fridays[0])
        let held = try #require(try await restic.snapshots(host: "acme", tags: ["job=9"]).first)   // 2025-03-07
        try await restic.tag(held, add: true, "hold")

        let result = try await restic.forget(host: "acme", tags: ["org=acme"], keep: RetentionCounts(last: 4, weekly: 8, monthly: 6, yearly: 1),
                                             keepTag: "hold", timeZone: TimeZone(identifier: "UTC")!)
        let expected = ["2025-12-26", "2025-12-19", "2025-12-12", "2025-12-05", "2025-11-28", "2025-11-21", "2025-11-14", "2025-11-07",
                        "2025-10-31", "2025-09-26", "2025-08-29", "2025-07-25", "2025-03-07"].map(Self.date)
        let survivors = try await restic.snapshots(host: "acme").map(\.time)
        #expect(Set(survivors) == Set(expected), "survivors: \(survivors.sorted())")
        #expect(result.removed.count == 52 - 13 && result.kept.count == 13)
        #expect(try await restic.snapshots(host: "globex").count == 1, "another org's snapshots are not touched")
        try await restic.prune()
    }
}
