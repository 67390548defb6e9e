import Foundation
import Testing
import TestSupport

/// `restore --format sqlite|xlsx` as an admin types it: the file, `--json`, and the mistakes.
@Suite("restore --format")
struct RestoreFormatCommandTests {
    @Test("--format sqlite --json names the database; --format xlsx with --attachments; a missing module, an unknown format and --from-offsite with a format refused")
    func formats() async throws {
        let (_, policy, backups) = try await ArchiveCommandTests.archive(count: 1)
        let dir = try makeTemporaryFolder("restore-format")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let backup = backups[0]
        let r = try CommandRunner.run(["restore", "--policy", policy, backup.name, "--format", "sqlite", "--to", dir + "/db", "--json"])
        #expect(r.status == 0, "\(r.all)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let file = "acme-\(backup.name).sqlite"
        #expect(json["format"] as? String == "sqlite" && (json["files"] as? [[String: Any]])?.first?["path"] as? String == file)
        #expect(((json["records"] as? [String: Int])?["Leads"] ?? 0) > 0, "\(r.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir + "/db/" + file) && !FileManager.default.fileExists(atPath: dir + "/db/.restore-partial"))
        #expect(try String(contentsOfFile: dir + "/db/RESTORE.md", encoding: .utf8).contains("SELECT \"Deal Name\""))

        let x = try CommandRunner.run(["restore", "--policy", policy, backup.name, "--format", "xlsx", "--attachments", "--module", "Attachments", "--to", dir + "/x"])
        #expect(x.status == 0 && x.stdout.contains("acme-\(backup.name).xlsx") && x.stdout.contains("RESTORE.md there says what it holds"), "\(x.all)")
        let files = try FileManager.default.subpathsOfDirectory(atPath: dir + "/x")
        #expect(files.contains { $0.hasPrefix("Attachments/") && !$0.hasSuffix("/") && $0.split(separator: "/").count == 3 }, "attachments under Attachments/<parent>/: \(files)")

        let typo = try CommandRunner.run(["restore", "--policy", policy, backup.name, "--format", "sqlite", "--module", "Contact", "--to", dir + "/typo"])
        #expect(typo.status == 1 && typo.stderr.contains("has no module Contact") && typo.stderr.contains("nothing was restored"), "\(typo.all)")
        let noList = try CommandRunner.run(["restore", "--policy", policy, backup.name, "--format", "sqlite", "--attachments", "--module", "Deals", "--to", dir + "/n"])
        #expect(noList.status != 0 && noList.stderr.contains("add --module Attachments"), "\(noList.all)")
        let unknown = try CommandRunner.run(["restore", "--policy", policy, backup.name, "--format", "pdf", "--to", dir + "/pdf"])
        #expect(unknown.status != 0 && unknown.stderr.contains("csv") && unknown.stderr.contains("sqlite") && unknown.stderr.contains("xlsx"), "\(unknown.all)")
        let offsite = try CommandRunner.run(["restore", "--policy", policy, backup.name, "--from-offsite", "--format", "sqlite", "--to", dir + "/o"])
        #expect(offsite.status != 0 && offsite.stderr.contains("--from-offsite restores the backup folder whole"), "\(offsite.all)")
    }
}
