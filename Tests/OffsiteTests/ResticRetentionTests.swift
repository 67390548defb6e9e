import Foundation
import Offsite
import Testing
import TestSupport
import ZohoModel

/// Off-site retention with the real restic: a year of weekly snapshots, `forget` with the
/// policy's counts grouped by host, a held snapshot kept; exactly these survive.
@Suite("restic retention, for real")
struct ResticRetentionTests {
    /// A repository with the 52 Fridays of 2025 for `acme` (tags `org=acme`, `job=0…51`) and one
    /// snapshot of `globex`, made once with `restic backup --time` (each restic run spends half a
    /// second deriving its key: 53 of them on every test run would cost half a minute).
    /// Made by: for each Friday, `restic backup --host acme --tag org=acme --tag job=N --time …`.
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/year-of-weeklies.tar.gz").path

    static func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text + "T09:30:00Z")!
    }

    @Test("a year of weekly snapshots: keep { last: 4, weekly: 8, monthly: 6, yearly: 1 } and the held one; another org untouched")
    func yearOfWeeklies() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        let root = try makeTemporaryFolder("restic-year")
        let unpacked = try await ChildProcess.run("/bin/tar", ["-xzf", Self.fixture, "-C", root])
        try #require(unpacked.status == 0, "\(unpacked.all)")
        let restic = Restic(repository: root + "/repo", passwordFile: root + "/pw", cacheDir: nil)
        try #require(try await restic.snapshots(host: "acme").count == 52)
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
