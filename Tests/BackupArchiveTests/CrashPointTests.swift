import BackupArchive
import Foundation
import Testing
import ZohoModel

/// Each named point of the archive's work is made to fail once; the work is then run again.
/// The archive must hold the complete verified backup or nothing visible for the job, resumed
/// parts must fetch only the missing bytes, and an earlier backup must never change.
@Suite("Crash points")
struct CrashPointTests {
    static let points = ["part.midStream", "part.beforeFsync", "part.afterFsync", "job.betweenParts", "job.afterVerify",
                         "index.beforeWrite", "commit.beforeManifest", "commit.beforeRename", "commit.afterRename", "commit.beforeDirFsync"]

    struct Injected: Error {}

    /// Faults that throw the first time `point` is reached.
    static func once(at point: String) -> FaultPoints {
        let fired = Fired()
        return FaultPoints { name in
            if name.rawValue == point, fired.fire() { throw Injected() }
        }
    }

    /// Safe: `done` is read and written only under `lock`.
    final class Fired: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        func fire() -> Bool { lock.withLock { defer { done = true }; return !done } }
    }

    @Test(arguments: points)
    func failingAtAPointLosesNothing(_ point: String) async throws {
        // Parts of several hundred KiB, so a download is cut after its first piece, not its last.
        try await ArchiveHarness.run({ $0.content.attachmentBytes = 200_000; $0.content.recordsPerModule = 6_000 }) { h async throws in
            let earlier = try await h.folder().archive(try await h.completedJob(), from: h.source, now: h.clock.date)
            let earlierBytes = try earlier.manifest.files.map { try Data(contentsOf: URL(fileURLWithPath: earlier.folder + "/" + $0.name)) }

            let job = try await h.completedJob()
            do {
                _ = try await h.folder(faults: Self.once(at: point)).archive(job, from: h.source, now: h.clock.date)
                Issue.record("the fault at \(point) must stop the job")
            } catch let error as ArchiveError {
                #expect(error.description.contains("(\(point))"), "the error names the point: \(error)")
            }
            // Either nothing visible for the job, or the whole verified backup.
            if let visible = h.folder().backup(jobID: job.jobID) {
                #expect(point.hasPrefix("commit.after") || point == "commit.beforeDirFsync", "visible only once renamed")
                #expect(await h.folder().verify(visible).ok)
                #expect((try? RecordIndex(path: visible.folder + "/index")) != nil, "never visible without a valid index")
            }
            let before = h.source.requestLog.count
            let backup = try await h.folder().archive(job, from: h.source, now: h.clock.date)
            #expect(await h.folder().verify(backup).ok)
            #expect((try? RecordIndex(path: backup.folder + "/index"))?.header.modules.isEmpty == false, "the rerun finishes the index")
            #expect(h.folder().backups().map(\.manifest.jobID) == [earlier.manifest.jobID, job.jobID])
            let again = Array(h.source.requestLog.dropFirst(before)).filter { $0.path.contains("/\(job.jobID)/") }
            if point == "part.midStream" {
                #expect(again.first?.status == 206, "the cut part resumes with Range")
            }
            if point.hasPrefix("job.afterVerify") || point.hasPrefix("commit.") {
                #expect(again.isEmpty, "finished parts are not fetched again")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: h.root + "/archive/.partial").isEmpty)
            let earlierNow = try earlier.manifest.files.map { try Data(contentsOf: URL(fileURLWithPath: earlier.folder + "/" + $0.name)) }
            #expect(earlierNow == earlierBytes, "the earlier backup never changes")
        }
    }
}
