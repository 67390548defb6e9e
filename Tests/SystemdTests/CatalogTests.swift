import Foundation
import TestSupport
import Systemd
import Testing

@Suite("Message catalog")
struct CatalogTests {
    static let catalog = projectRoot + "/packaging/zoho-crm-backup.catalog"

    @Test func everyMessageIDHasExactlyOneEntry() throws {
        let text = try String(contentsOfFile: Self.catalog, encoding: .utf8)
        let ids = text.split(separator: "\n").filter { $0.hasPrefix("-- ") }.map { String($0.dropFirst(3)) }
        #expect(ids.sorted() == MessageID.allCases.map(\.rawValue).sorted())
        #expect(Set(ids).count == ids.count)
    }

    @Test func journalctlListsEveryEntry() throws {
        let root = try makeTemporaryFolder("catalog-root")
        let dir = root + "/usr/lib/systemd/catalog"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.catalog, toPath: dir + "/zoho-crm-backup.catalog")
        let update = try Run.command("/usr/bin/journalctl", ["--root=\(root)", "--update-catalog"])
        #expect(update.status == 0, "\(update.stderr)")
        let list = try Run.command("/usr/bin/journalctl", ["--root=\(root)", "--list-catalog"])
        #expect(list.status == 0)
        for id in MessageID.allCases {
            let line = list.stdout.split(separator: "\n").first { $0.hasPrefix(id.rawValue) }
            #expect(line?.contains("zoho-crm-backup: ") == true, "\(id) is listed with its subject")
        }
        let archived = try Run.command("/usr/bin/journalctl", ["--root=\(root)", "--dump-catalog", MessageID.backupArchived.rawValue])
        #expect(archived.stdout.contains("Subject: Zoho CRM backup archived for @ZOHO_ORG@"))
    }
}
