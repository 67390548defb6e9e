import BackupArchive
import Foundation
import Glibc
import Testing
import ZohoModel

@Suite("Disk full, read-only, permission denied")
struct DiskTests {
    @Test func notEnoughFreeSpaceStopsBeforeTheFirstByte() async throws {
        try await ArchiveHarness.run { h async throws in
            let job = try await h.completedJob()
            do {
                _ = try await h.folder(minFree: ByteSize(bytes: 1 << 50)).archive(job, from: h.source, now: h.clock.date)
                Issue.record("a job that does not fit must stop")
            } catch let error as ArchiveError {
                #expect(error.code == .diskFull)
                #expect(error.file == "Data_001.zip")
                #expect(error.description.contains("plus archive.min_free 1024TiB"))
                #expect(error.description.contains(h.root + "/archive/.partial/\(job.jobID)/Data_001.zip"))
                #expect(error.remedy.contains("resumes"))
            }
            #expect(h.folder().backups().isEmpty)
            // With room again, the job completes.
            #expect(await h.folder().verify(try await h.folder().archive(job, from: h.source, now: h.clock.date)).ok)
        }
    }

    @Test("an answer without a length (chunked) cannot fill the disk: the free space is checked as the bytes arrive")
    func unsizedAnswerIsCheckedAsItArrives() async throws {
        try await ArchiveHarness.run { h async throws in
            let job = try await h.completedJob()
            h.source.announceSize(false)
            do {
                _ = try await h.folder(minFree: ByteSize(bytes: 1 << 50)).archive(job, from: h.source, now: h.clock.date)
                Issue.record("a part of unknown size must stop when the disk would go under min_free")
            } catch let error as ArchiveError {
                #expect(error.code == .diskFull)
                #expect(error.file == "Data_001.zip")
                #expect(error.description.contains("whose size the server did not say"))
            }
            #expect(h.folder().backups().isEmpty)
            // With room, the same answers archive the job.
            #expect(await h.folder().verify(try await h.folder().archive(job, from: h.source, now: h.clock.date)).ok)
        }
    }

    @Test(arguments: [(EROFS, ArchiveError.Code.readOnly, "ReadWritePaths="), (EACCES, .permissionDenied, "chown -R zoho-crm-backup")])
    func systemRefusalsSayWhatToDo(_ code: Int32, _ expected: ArchiveError.Code, _ remedy: String) async throws {
        try await ArchiveHarness.run { h async throws in
            let earlier = try await h.folder().archive(try await h.completedJob(), from: h.source, now: h.clock.date)
            let job = try await h.completedJob()
            let faults = FaultPoints { if $0 == .partMidStream { throw FaultPoints.SystemError(code) } }
            do {
                _ = try await h.folder(faults: faults).archive(job, from: h.source, now: h.clock.date)
                Issue.record("the refusal must stop the job")
            } catch let error as ArchiveError {
                #expect(error.code == expected)
                #expect(error.description.contains(String(cString: strerror(code))))
                #expect(error.remedy.contains(remedy))
            }
            #expect(await h.folder().verify(earlier).ok, "the committed backup is intact")
            #expect(h.folder().backup(jobID: job.jobID) == nil)
        }
    }

    /// A real ENOSPC: the archive on a 2 MiB tmpfs, filled up while a part streams in.
    @Test(.enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func realENOSPCMidDownloadKeepsTheArchiveIntact() async throws {
        try await ArchiveHarness.run({ $0.content.attachmentBytes = 150_000 }) { h async throws in
            let mountPoint = h.root + "/small"
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            #expect(try run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint]).status == 0)
            defer { _ = try? run("/bin/umount", ["-l", mountPoint]) }
            let archive = mountPoint + "/archive"
            let earlier = try await h.folder(path: archive).archive(try await h.completedJob(), from: h.source, now: h.clock.date)

            let job = try await h.completedJob()
            let filler = mountPoint + "/filler"
            let faults = FaultPoints { point in
                // Take all the space that is left once the attachment part starts to arrive.
                guard point == .partMidStream, !FileManager.default.fileExists(atPath: filler) else { return }
                _ = FileManager.default.createFile(atPath: filler, contents: nil)
                if let handle = FileHandle(forWritingAtPath: filler) {
                    while (try? handle.write(contentsOf: Data(count: 64 * 1024))) != nil {}
                    try? handle.close()
                }
            }
            do {
                _ = try await h.folder(faults: faults, path: archive).archive(job, from: h.source, now: h.clock.date)
                Issue.record("a full disk must stop the job")
            } catch let error as ArchiveError {
                #expect(error.code == .diskFull)
                #expect(error.description.contains("No space left on device"))
                #expect(error.description.contains(archive + "/.partial/\(job.jobID)/"))
            }
            #expect(await h.folder(path: archive).verify(earlier).ok, "the committed backup is intact")
            #expect(h.folder(path: archive).backup(jobID: job.jobID) == nil)

            try FileManager.default.removeItem(atPath: filler)
            let backup = try await h.folder(path: archive).archive(job, from: h.source, now: h.clock.date)
            #expect(await h.folder(path: archive).verify(backup).ok, "with room again, the job resumes and completes")
        }
    }
}
