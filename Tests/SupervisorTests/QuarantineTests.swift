import BackupArchive
import Foundation
import Supervisor
import Testing
import ZohoModel
import ZohoSimulator

/// A part that never passes verification is fetched again while its links live; when they
/// expire, the last copy Zoho sent is kept in the archive's quarantine, never deleted.
@Suite("The last copy of a part that fails verification is kept", .serialized)
struct QuarantineTests {
    @Test("a part corrupt at every download: fetched again while the links live, then kept in .quarantine/ with the alarm")
    func corruptUntilTheLinksExpire() async throws {
        try await SupervisorHarness.run([.init(name: "acme", schedule: "unmanaged")]) { h in
            let zoho = h.zohos["acme"]!
            await zoho.inject(Fault(.flipByte(offset: 100), pathContains: "Data_001.zip", times: 1_000))
            try await h.startImmediateBackup("acme")
            h.clock.advance(by: .seconds(3))
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, times: 3, step: .seconds(3600))
            let downloads = await zoho.count("GET", "Data_001.zip")
            #expect(downloads >= 3, "fetched again while the links live (\(downloads) downloads)")
            let jobID = try #require(await supervisor.worker("acme")?.state.seenJobs.keys.first)
            #expect(FileManager.default.fileExists(atPath: "\(h.archivePath("acme"))/.partial/\(jobID)/.failed-Data_001.zip"),
                    "the failed copy is kept while the part is fetched again")

            h.clock.advance(by: .seconds(8 * 86_400))
            await h.cycle(supervisor, step: .seconds(60))
            let state = try #require(await supervisor.worker("acme")?.state)
            #expect(state.lostJobs == [jobID])
            let folder = ArchiveFolder(path: h.archivePath("acme"), org: "acme", minFree: ByteSize(bytes: 0), logger: .init(label: "test"))
            let kept = folder.quarantined()
            #expect(kept.map(\.jobID) == [jobID])
            #expect(kept.first.map { Set($0.files) }?.contains("Data_001.zip") == true, "\(kept)")
            let copy = "\(h.archivePath("acme"))/.quarantine/\(jobID)/Data_001.zip"
            #expect((try? Data(contentsOf: URL(fileURLWithPath: copy)))?.count ?? 0 > 0, "Zoho's bytes are there")
            #expect(!FileManager.default.fileExists(atPath: "\(h.archivePath("acme"))/.partial/\(jobID)"))

            // Retention and leftover cleanup never touch it.
            try await h.startImmediateBackup("acme")
            await zoho.clearFaults()
            h.clock.advance(by: .seconds(3))
            await h.cycle(supervisor, times: 2, step: .seconds(60))
            #expect(h.archived("acme").count == 1)
            #expect(FileManager.default.fileExists(atPath: copy))
        }
    }
}
