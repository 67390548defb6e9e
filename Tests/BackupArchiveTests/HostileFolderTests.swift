import BackupArchive
import Foundation
import Glibc
import Testing
import ZohoModel

/// What `verify` (often run as root) and the downloads meet when someone else can write in
/// the archive: a manifest naming files outside its folder, a FIFO, symbolic links.
@Suite("Hostile files in the archive")
struct HostileFolderTests {
    /// Rewrites `manifest.json` of `backup` with `name` in place of `Data_001.zip`.
    static func rename(in backup: String, to name: String) throws {
        let path = backup + "/manifest.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"Data_001.zip\"", with: "\"\(name)\"").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("a manifest naming ../../../../etc/shadow is a problem and the file is never opened")
    func manifestNamesOutside() async throws {
        try await ArchiveHarness.run { h async throws in
            let folder = h.folder()
            let backup = try await folder.archive(try await h.completedJob(), from: h.source, now: h.clock.date)
            try Self.rename(in: backup.folder, to: "../../../../etc/shadow")
            let reread = try #require(folder.backup(jobID: backup.manifest.jobID))
            let report = await folder.verify(reread)
            #expect(!report.ok)
            #expect(report.problems.contains { $0.contains("'../../../../etc/shadow', which is not a part file") && $0.contains("not opened") }, "\(report.problems)")
            #expect(!report.problems.contains { $0.contains("SHA-256") && $0.contains("shadow") }, "never hashed")
        }
    }

    @Test("a FIFO in place of a part is reported at once, never waited on")
    func fifoIsNotRead() async throws {
        try await ArchiveHarness.run { h async throws in
            let folder = h.folder()
            let backup = try await folder.archive(try await h.completedJob(), from: h.source, now: h.clock.date)
            let part = backup.folder + "/Data_002.zip"
            try FileManager.default.removeItem(atPath: part)
            #expect(mkfifo(part, 0o600) == 0)
            let report = await folder.verify(backup)   // with a blocking open this would never return
            #expect(report.problems.contains("Data_002.zip: is not a regular file; not read"), "\(report.problems)")
        }
    }

    @Test("a symbolic link in place of a part is not followed, by verify or by a resumed download")
    func symlinksAreNotFollowed() async throws {
        try await ArchiveHarness.run { h async throws in
            let folder = h.folder()
            let backup = try await folder.archive(try await h.completedJob(), from: h.source, now: h.clock.date)
            let part = backup.folder + "/Data_002.zip"
            try FileManager.default.removeItem(atPath: part)
            try FileManager.default.createSymbolicLink(atPath: part, withDestinationPath: backup.folder + "/Data_001.zip")
            let report = await folder.verify(backup)
            #expect(report.problems.contains("Data_002.zip: is a symbolic link; not followed"), "\(report.problems)")

            // A link planted where a download goes: the download refuses to write through it.
            let job = try await h.completedJob()
            let victim = h.root + "/victim"
            try Data("keep".utf8).write(to: URL(fileURLWithPath: victim))
            let work = h.root + "/archive/.partial/\(job.jobID)"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: work + "/Data_001.zip", withDestinationPath: victim)
            await #expect(throws: ArchiveError.self) { _ = try await folder.archive(job, from: h.source, now: h.clock.date) }
            #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep", "the link's target is untouched")
        }
    }
}
