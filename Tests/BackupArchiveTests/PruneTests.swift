import BackupArchive
import Foundation
import Testing
import ZohoModel

@Suite("Pruning the archive")
struct PruneTests {
    /// Archives `count` backups, one a day.
    static func archived(_ h: ArchiveHarness, count: Int) async throws -> [ArchivedBackup] {
        var result: [ArchivedBackup] = []
        for _ in 0..<count {
            h.clock.advance(by: .seconds(86_400))
            result.append(try await h.folder().archive(try await h.completedJob(), from: h.source, now: h.clock.date))
        }
        return result
    }

    @Test func removesWhatRetentionDropsAndRemembersIt() async throws {
        try await ArchiveHarness.run { h async throws in
            let backups = try await Self.archived(h, count: 5)
            let keep = RetentionCounts(last: 2, weekly: 0, monthly: 0, yearly: 0)
            let utc = try #require(TimeZone(identifier: "UTC"))

            let planned = try h.folder().prune(keep: keep, timeZone: utc, now: h.clock.date, dryRun: true)
            #expect(planned.filter { !$0.decision.keep }.count == 3)
            #expect(h.folder().backups().count == 5, "a dry run removes nothing")

            let done = try h.folder().prune(keep: keep, timeZone: utc, now: h.clock.date, dryRun: false)
            #expect(done.map(\.decision.keep) == [true, true, false, false, false])
            #expect(h.folder().backups().map(\.manifest.jobID) == backups.suffix(2).map(\.manifest.jobID))
            for old in backups.prefix(3) {
                #expect(!FileManager.default.fileExists(atPath: old.folder))
                #expect(h.folder().isKnown(old.manifest.jobID), "a pruned job is never fetched again")
            }
            #expect(PrunedJobs.load(archive: h.root + "/archive").pruned.count == 3)
            #expect(try FileManager.default.contentsOfDirectory(atPath: h.root + "/archive/.partial").isEmpty)
        }
    }

    @Test func crashMidDeleteLeavesNoHalfBackupVisible() async throws {
        try await ArchiveHarness.run { h async throws in
            let backups = try await Self.archived(h, count: 3)
            let keep = RetentionCounts(last: 1, weekly: 0, monthly: 0, yearly: 0)
            let utc = try #require(TimeZone(identifier: "UTC"))
            struct Injected: Error {}
            let faults = FaultPoints { if $0 == .pruneMidDelete { throw Injected() } }
            #expect(throws: ArchiveError.self) {
                try h.folder(faults: faults).prune(keep: keep, timeZone: utc, now: h.clock.date, dryRun: false)
            }
            let visible = h.folder().backups()
            #expect(visible.count == 2, "the backup being deleted is out of sight at once")
            #expect(visible.allSatisfy { FileManager.default.fileExists(atPath: $0.folder + "/manifest.json") })
            _ = try h.folder().prune(keep: keep, timeZone: utc, now: h.clock.date, dryRun: false)
            #expect(h.folder().backups().map(\.manifest.jobID) == [backups[2].manifest.jobID])
            #expect(try FileManager.default.contentsOfDirectory(atPath: h.root + "/archive/.partial").isEmpty, "leftovers are cleaned")
            #expect(await h.folder().verify(try #require(h.folder().backups().first)).ok)
        }
    }

    @Test func foldersWithoutOurManifestAreNeverTouched() async throws {
        try await ArchiveHarness.run { h async throws in
            _ = try await Self.archived(h, count: 2)
            let stranger = h.root + "/archive/2020-01-01T000000Z_12345"
            try FileManager.default.createDirectory(atPath: stranger, withIntermediateDirectories: true)
            try "keep me".write(toFile: stranger + "/notes.txt", atomically: true, encoding: .utf8)
            _ = try h.folder().prune(keep: RetentionCounts(last: 1, weekly: 0, monthly: 0, yearly: 0),
                                     timeZone: try #require(TimeZone(identifier: "UTC")), now: h.clock.date, dryRun: false)
            #expect(FileManager.default.fileExists(atPath: stranger + "/notes.txt"))
            #expect(h.folder().backups().count == 1)
        }
    }

    @Test func partialJobsWhoseLinksExpiredAreCleanedUp() async throws {
        try await ArchiveHarness.run({ $0.content.attachmentBytes = 200_000 }) { h async throws in
            let job = try await h.completedJob()
            h.source.inject(.truncate(bytes: 50_000), pathContains: "/Attachments_001.zip")
            _ = try? await h.folder().archive(job, from: h.source, now: h.clock.date)
            let partial = h.root + "/archive/.partial/\(job.jobID)"
            #expect(FileManager.default.fileExists(atPath: partial))
            _ = try h.folder().prune(keep: .default, timeZone: try #require(TimeZone(identifier: "UTC")),
                                     now: h.clock.date, dryRun: false)
            #expect(FileManager.default.fileExists(atPath: partial), "links still live: kept to resume")
            try h.folder().removeLeftovers(now: h.clock.date.addingTimeInterval(8 * 86_400))
            #expect(!FileManager.default.fileExists(atPath: partial), "links expired: it can never finish")
        }
    }
}
