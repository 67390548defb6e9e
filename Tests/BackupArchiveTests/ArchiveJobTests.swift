import BackupArchive
import Foundation
import Testing
import ZohoModel

@Suite("Archiving a job from the simulator")
struct ArchiveJobTests {
    @Test func threePartJobIsArchivedByteIdenticalAndVerified() async throws {
        try await ArchiveHarness.run { h async throws in
            let job = try await h.completedJob()
            #expect(job.parts.map(\.fileName) == ["Data_001.zip", "Data_002.zip", "Attachments_001.zip"])
            let folder = h.folder()
            let backup = try await folder.archive(job, from: h.source, now: h.clock.date)

            #expect(backup.name == ArchiveFolder.folderName(completedAt: job.completedAt, jobID: job.jobID))
            #expect(backup.name.range(of: #"^\d{4}-\d\d-\d\dT\d{6}Z_\d+$"#, options: .regularExpression) != nil)
            for part in job.parts {
                let archived = try Data(contentsOf: URL(fileURLWithPath: backup.folder + "/" + part.fileName))
                #expect(archived == h.served(part.url), "\(part.fileName) is byte-identical to what was served")
                #expect(mode(backup.folder + "/" + part.fileName) == 0o600)
            }
            #expect(mode(backup.folder) == 0o700)
            #expect(mode(h.root + "/archive") == 0o700)
            let check = try run("/usr/bin/sha256sum", ["-c", "SHA256SUMS"], in: backup.folder)
            #expect(check.status == 0, "\(check.output)")
            #expect(check.output.split(separator: "\n").count == 3)

            let manifest = backup.manifest
            #expect(manifest.org == "acme" && manifest.jobID == job.jobID && manifest.zgid == "757345985")
            #expect(manifest.files.map(\.kind) == ["data", "data", "attachments"])
            #expect(manifest.files.allSatisfy { $0.entries > 0 && $0.size > 0 && $0.sha256.count == 64 })
            #expect(manifest.linksExpiry == job.linksExpiry)
            #expect(Manifest.read(folder: backup.folder) == manifest)
            #expect(folder.backups().map(\.manifest.jobID) == [job.jobID])
            #expect(try FileManager.default.contentsOfDirectory(atPath: h.root + "/archive/.partial").isEmpty)

            let report = await folder.verify(backup)
            #expect(report.ok, "\(report.problems)")

            // Archiving again is a no-op: no download, the same folder.
            let before = h.source.count("/v2/crm/")
            #expect(try await folder.archive(job, from: h.source, now: h.clock.date) == backup)
            #expect(h.source.count("/v2/crm/") == before)
        }
    }

    @Test func flippedByteInAnArchivedFileFailsVerifyNamingTheFile() async throws {
        try await ArchiveHarness.run { h async throws in
            let folder = h.folder()
            let backup = try await folder.archive(try await h.completedJob(), from: h.source, now: h.clock.date)
            let path = backup.folder + "/Data_002.zip"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count / 3] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: path))
            let report = await folder.verify(backup)
            #expect(!report.ok)
            #expect(report.problems.count == 1)
            #expect(report.problems.first?.hasPrefix("Data_002.zip: SHA-256") == true)
        }
    }

    @Test func corruptDownloadIsCaughtByTheZipCheckAndFetchedAgain() async throws {
        try await ArchiveHarness.run { h async throws in
            let job = try await h.completedJob()
            // Flip a byte inside the compressed data of the first entry of Data_001.zip.
            h.source.inject(.flipByte(offset: 120), pathContains: "/Data_001.zip")
            let backup = try await h.folder().archive(job, from: h.source, now: h.clock.date)
            #expect(h.source.requestLog.filter { $0.path.hasSuffix("/Data_001.zip") }.count == 2)
            #expect(await h.folder().verify(backup).ok)
        }
    }

    @Test func corruptEveryTimeIsReportedAndNothingIsCommitted() async throws {
        try await ArchiveHarness.run { h async throws in
            let job = try await h.completedJob()
            h.source.inject(.flipByte(offset: 120, times: 10), pathContains: "/Data_001.zip")
            do {
                _ = try await h.folder().archive(job, from: h.source, now: h.clock.date)
                Issue.record("a part that is corrupt every time must not be archived")
            } catch let error as ArchiveError {
                #expect(error.code == .corruptPart)
                #expect(error.file == "Data_001.zip" && error.jobID == job.jobID)
                #expect(error.description.contains("[acme] job \(job.jobID) Data_001.zip: the downloaded zip is damaged"))
            }
            #expect(h.folder().backups().isEmpty)
        }
    }

    @Test func cutOffPartResumesFetchingOnlyTheMissingBytes() async throws {
        try await ArchiveHarness.run({ $0.content.attachmentBytes = 300_000 }) { h async throws in
            let job = try await h.completedJob()
            h.source.inject(.truncate(bytes: 100_000), pathContains: "/Attachments_001.zip")
            do {
                _ = try await h.folder().archive(job, from: h.source, now: h.clock.date)
                Issue.record("a cut-off part stops the job")
            } catch let error as ArchiveError {
                #expect(error.code == .sourceFailed)
            }
            #expect(h.folder().backups().isEmpty, "nothing visible")
            let backup = try await h.folder().archive(job, from: h.source, now: h.clock.date)
            let log = h.source.requestLog.filter { $0.path.hasSuffix("/Attachments_001.zip") }.map(\.status)
            #expect(log == [200, 206], "the second attempt asked only for the rest")
            let data = h.source.requestLog.filter { $0.path.contains("/Data_") }.count
            #expect(data == 2, "finished parts are not fetched again")
            #expect(await h.folder().verify(backup).ok)
        }
    }

    @Test func gapsAndStrangersInTheLinksAreReportedNotArchived() {
        let base = "https://download-accl.zoho.com/v2/crm/1/backup/77/"
        #expect(throws: ArchiveError.self) {
            try JobSpec.fromLinks([base + "Data_001.zip", base + "Data_003.zip"], org: "acme", completedAt: Date())
        }
        do {
            _ = try JobSpec.fromLinks([base + "Data_001.zip", base + "Data_003.zip", base + "Attachments_001.zip"], org: "acme", completedAt: Date())
        } catch {
            #expect(error.code == .incompleteParts)
            #expect(error.detail == "the parts have a gap: Data_002.zip is missing")
        }
        #expect(throws: ArchiveError.self) { try JobSpec.fromLinks([base + "Data_001.zip", base + "Data_001.zip"], org: "acme", completedAt: Date()) }
        #expect(throws: ArchiveError.self) { try JobSpec.fromLinks([base + "Attachments_001.zip"], org: "acme", completedAt: Date()) }
        #expect(throws: ArchiveError.self) {
            try JobSpec.fromLinks([base + "Data_001.zip", "https://download-accl.zoho.com/v2/crm/1/backup/78/Data_002.zip"], org: "acme", completedAt: Date())
        }
        #expect(throws: ArchiveError.self) { try JobSpec.fromLinks([base + "../Data_001.zip"], org: "acme", completedAt: Date()) }
        #expect(throws: Never.self) {
            try JobSpec.fromLinks([base + "Data_002.zip", base + "Data_001.zip", base + "Attachments_001.zip"], org: "acme", completedAt: Date())
        }
    }
}
