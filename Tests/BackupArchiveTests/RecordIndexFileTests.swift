import BackupArchive
import Foundation
import Logging
import Testing
import TestSupport

/// The index file itself: which entries it reads, its checksum, `reindex`, and bad names.
@Suite("Record index file")
struct RecordIndexFileTests {
    @Test("what an entry is to the index", arguments: [
        ("Data/Leads_001.csv", "module Leads"), ("Data/Leads_RecordAccess_001.csv", "module Leads_RecordAccess"),
        ("Contacts_012.csv", "module Contacts"), ("Data/Clienti_001.csv", "module Clienti"),
        ("Attachments/4876_Preventivo 1.pdf", "attachment"), ("Data/notes.txt", "other"), ("Data/Leads.csv", "other"),
        ("Data/x/Leads_001.csv", "other"), ("Data/Leads_01.csv", "other"),
        ("../Leads_001.csv", "skipped"), ("Data/../../etc/passwd", "skipped"), ("/etc/Leads_001.csv", "skipped"),
        ("Data/Le\0ads_001.csv", "skipped"), ("Data\\Leads_001.csv", "skipped"),
    ])
    func roles(_ name: String, _ expected: String) {
        let role: String
        switch PartIndexer.role(name) {
        case .module(let module): role = "module \(module)"
        case .attachment: role = "attachment"
        case .other: role = "other"
        case .skipped: role = "skipped"
        }
        #expect(role == expected)
    }

    @Test("a damaged index is refused by its checksum; reindex rebuilds it the same, never touching manifest.json or SHA256SUMS")
    func damagedIndexIsRebuilt() async throws {
        try await ArchiveHarness.run { h async throws in
            let backup = try await h.folder().archive(try await h.completedJob(), from: h.source, now: h.clock.date)
            let path = backup.folder + "/index"
            let good = try RecordIndex(path: path)
            #expect(good.header.modules.map(\.name) == ["Contacts", "Deals", "Notes", "Users"])
            #expect(good.header.modules.allSatisfy { $0.records == 25 })
            #expect(good.header.attachments.count == 3)
            let sealed = try ["manifest.json", "SHA256SUMS"].map { try Data(contentsOf: URL(fileURLWithPath: backup.folder + "/" + $0)) }

            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[20] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: path))
            #expect(throws: RecordIndex.Unusable.self) { try RecordIndex(path: path) }
            guard case .failure(let problem) = h.folder().index(of: backup) else { Issue.record("a damaged index was trusted"); return }
            #expect(problem.description.contains("checksum"))

            let rebuilt = try await h.folder().reindex(backup)
            #expect(rebuilt.header == good.header)
            #expect(try ["manifest.json", "SHA256SUMS"].map { try Data(contentsOf: URL(fileURLWithPath: backup.folder + "/" + $0)) } == sealed)
            #expect(await h.folder().verify(backup).ok, "verify does not mind the index")

            unlink(path)
            #expect(try await h.folder().reindex(backup).header == good.header, "a missing index is built")
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: h.root + "/archive/.partial")) ?? []
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }

    @Test("a header naming sections outside the file is refused even with a matching checksum")
    func hostileHeader() async throws {
        try await ArchiveHarness.run { h async throws in
            let backup = try await h.folder().archive(try await h.completedJob(), from: h.source, now: h.clock.date)
            let path = backup.folder + "/index"
            // Rewrites the header (numericRecords of the first module: 2^40) and the checksum, as a forger would.
            let script = """
                import hashlib, json, struct, sys
                b = open(sys.argv[1], 'rb').read()
                body, n = b[:-32], struct.unpack('<I', b[-36:-32])[0]
                head = json.loads(body[-4 - n:-4]); head['modules'][0]['numericRecords'] = 1 << 40
                j = json.dumps(head).encode(); out = body[:-4 - n] + j + struct.pack('<I', len(j))
                open(sys.argv[1], 'wb').write(out + hashlib.sha256(out).digest())
                """
            let forged = try await ChildProcess.run("/usr/bin/python3", ["-c", script, path])
            #expect(forged.status == 0, "\(forged.all)")
            #expect(throws: RecordIndex.Unusable.self) { try RecordIndex(path: path) }
            guard case .failure(let problem) = h.folder().index(of: backup) else { Issue.record("a forged index was trusted"); return }
            #expect(problem.description.contains("outside the file"), "\(problem)")
        }
    }

    @Test("unsafe entry names and a module that does not parse: reported and skipped, the backup still verified")
    func badEntries() async throws {
        let folder = try makeTemporaryFolder("index-bad")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let zip = ArchiveHarness.zip([
            "../evil_001.csv": Data("Record Id\n1\n".utf8),
            "/abs_001.csv": Data("Record Id\n1\n".utf8),
            "Data/Leads_001.csv": Data("\u{FEFF}Record Id,Name\n1,a\n2,\"never closed\n3,c\n".utf8),
            "Data/Deals_001.csv": Data("5,no header\n6,x\n".utf8),
        ])
        try zip.write(to: URL(fileURLWithPath: folder + "/Data_001.zip"))
        let indexer = try PartIndexer(folder: folder + "/.index/Data_001.zip", part: "Data_001.zip")
        _ = try await ZipVerifier.verify(path: folder + "/Data_001.zip", tap: indexer)
        try indexer.seal()
        try RecordIndexWriter.build(jobID: "1", partFolders: [folder + "/.index/Data_001.zip"], into: folder)
        let index = try RecordIndex(path: folder + "/index")
        #expect(index.header.skipped.count == 2 && index.header.skipped.allSatisfy { $0.contains("unsafe name") }, "\(index.header.skipped)")
        let leads = try #require(index.module("Leads"))
        #expect(leads.incomplete && leads.records == 2 && leads.files[0].problems.contains { $0.contains("never closes") }, "\(leads)")
        let deals = try #require(index.module("Deals"))
        #expect(deals.records == 2 && deals.header.isEmpty && deals.files[0].problems.contains { $0.contains("no header row") }, "\(deals)")
    }
}
