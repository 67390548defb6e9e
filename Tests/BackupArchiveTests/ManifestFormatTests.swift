import BackupArchive
import Foundation
import Logging
import Testing
import TestSupport
import ZohoModel

/// Every reader accepts both manifest formats: 1 (no `kind`, an always-null `zoho_log_time`)
/// as the previous release wrote it, and 2.
@Suite("Manifest formats 1 and 2")
struct ManifestFormatTests {
    /// A manifest exactly as the previous release wrote it.
    static let formatOne = """
        {
          "committed_at" : "2026-11-20T10:00:05Z",
          "completed_at" : "2026-11-20T09:30:05Z",
          "files" : [
            {
              "entries" : 3,
              "kind" : "data",
              "name" : "Data_001.zip",
              "sha256" : "\(String(repeating: "ab", count: 32))",
              "size" : 1234,
              "uncompressed_bytes" : 5678,
              "verified_at" : "2026-11-20T10:00:04Z"
            }
          ],
          "format" : 1,
          "job_id" : "4876876000001002002",
          "links_expiry" : "2026-11-27T09:30:00Z",
          "org" : "acme",
          "rrule" : "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR",
          "tool" : "zoho-crm-backup",
          "tool_version" : "0.1.0",
          "zgid" : "757345985",
          "zoho_log_time" : null
        }
        """

    @Test("a format-1 manifest is listed, with its rule and no kind")
    func readsFormatOne() throws {
        let archive = try makeTemporaryFolder("manifest")
        let folder = archive + "/2026-11-20T093005Z_4876876000001002002"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Self.formatOne.write(toFile: folder + "/manifest.json", atomically: true, encoding: .utf8)
        let backups = ArchiveFolder(path: archive, org: "acme", minFree: ByteSize(bytes: 0), logger: Logger(label: "t")).backups()
        let manifest = try #require(backups.first?.manifest)
        #expect(backups.count == 1)
        #expect(manifest.format == 1 && manifest.kind == nil)
        #expect(manifest.rrule == "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR")
        #expect(manifest.jobID == "4876876000001002002" && manifest.totalSize == 1234)
    }
}
