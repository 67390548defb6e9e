import BackupArchive
import Foundation
import Logging
import Testing
import TestSupport
import ZohoModel
import ZohoSimulator

/// Serves one zip file (made by the test) as a backup's only part.
struct FilePart: PartSource {
    let path: String

    /// Makes `zip` with the Python `script` (its argument: the zip's path) and archives it as
    /// job `jobID`'s only part in `<dir>/archive` (verified and indexed as `run` does).
    static func archived(script: String, zip: String, in dir: String, jobID: String) async throws -> ArchivedBackup {
        let made = try await ChildProcess.run("/usr/bin/python3", ["-c", script, zip])
        #expect(made.status == 0, "\(made.stderr)")
        let folder = ArchiveFolder(path: dir + "/archive", org: "acme", minFree: ByteSize(bytes: 0), logger: Logger(label: "t"))
        let spec = JobSpec(org: "acme", jobID: jobID, zgid: "1", parts: [PartRef(fileName: "Data_001.zip", url: "file:///x")],
                           completedAt: Date(timeIntervalSince1970: 1_795_000_000))
        return try await folder.archive(spec, from: FilePart(path: zip), now: Date())
    }

    func fetch(_ part: PartRef, from offset: Int64,
               into sink: (Int64, Int64?, UnsafeRawBufferPointer) throws -> Void) async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.dropFirst(Int(offset)).withUnsafeBytes { try sink(offset, Int64(data.count), $0) }
    }
}

/// `restore` as an admin runs it on a bad day, checked with Python's `zipfile` and `csv`.
@Suite("zoho-crm-backup restore")
struct RestoreCommandTests {
    /// name → SHA-256 of every entry of the zips, as Python's zipfile reads them.
    static func pythonEntries(_ zips: [String]) throws -> [String: String] {
        let script = """
            import hashlib, sys, zipfile
            for path in sys.argv[1:]:
                with zipfile.ZipFile(path) as z:
                    for info in z.infolist():
                        if not info.is_dir():
                            print(hashlib.sha256(z.read(info)).hexdigest(), info.filename)
            """
        let r = try ChildProcess.run("/usr/bin/python3", ["-c", script] + zips)
        #expect(r.status == 0, "\(r.stderr)")
        return Dictionary(r.stdout.split(separator: "\n").map { line in
            let pair = line.split(separator: " ", maxSplits: 1)
            return (String(pair[1]), String(pair[0]))
        }, uniquingKeysWith: { a, _ in a })
    }

    /// Every row of a CSV file (the header first) as Python's csv module reads it (BOM dropped).
    static func pythonCSV(_ path: String) throws -> [[String]] {
        let script = "import csv, json, sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))))"
        let r = try ChildProcess.run("/usr/bin/python3", ["-c", script, path])
        return (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String]]) ?? []
    }

    static func sha256(_ path: String) throws -> String {
        let r = try ChildProcess.run("/usr/bin/sha256sum", [path])
        return String(r.stdout.prefix(64))
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? NSNumber)?.intValue ?? -1
    }

    @Test("everything: every entry of every part under Zoho's paths, byte for byte as Python's zipfile reads it, 0600/0700; a module joined into one CSV; a non-empty folder refused; an unfinished restore resumed")
    func restoreEverythingAndModules() async throws {
        let (_, policy, backups) = try await ArchiveCommandTests.archive(count: 1)
        let backup = backups[0]
        let zips = backup.manifest.files.map { backup.folder + "/" + $0.name }
        let expected = try Self.pythonEntries(zips)
        let out = try makeTemporaryFolder("restore-all") + "/out"

        let r = try CommandRunner.run(["restore", "--policy", policy, backup.manifest.jobID, "--to", out])
        #expect(r.status == 0, "\(r.all)")
        for (name, digest) in expected {
            #expect(try Self.sha256(out + "/" + name) == digest, "\(name)")
            #expect(Self.mode(out + "/" + name) == 0o600, "\(name) is 0600")
        }
        #expect(Self.mode(out + "/Data") == 0o700 && Self.mode(out) == 0o700)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/restore.json"))) as? [String: Any])
        #expect(report["complete"] as? Bool == true && (report["files"] as? [Any])?.count == expected.count)
        #expect(FileManager.default.fileExists(atPath: out + "/RESTORE.md") && !FileManager.default.fileExists(atPath: out + "/.restore-partial"))

        // Again into the same folder: refused, nothing touched.
        let again = try CommandRunner.run(["restore", "--policy", policy, backup.name, "--to", out])
        #expect(again.status == 1 && again.stderr.contains("is not empty"), "\(again.all)")

        // By path, without a policy: only Leads, its two files joined, as Python's csv reads them.
        let leads = try makeTemporaryFolder("restore-leads") + "/out"
        let joined = try CommandRunner.run(["restore", backup.folder, "--to", leads, "--module", "Leads", "--policy", "/nonexistent/policy.yaml"])
        #expect(joined.status == 0, "\(joined.all)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: leads).sorted() == ["Leads.csv", "RESTORE.md", "restore.json"])
        let data = try Data(contentsOf: URL(fileURLWithPath: leads + "/Leads.csv"))
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF], "the BOM kept")
        let python = try PythonCSV.read(zips)
        let leadFiles = python.files.filter { $0.key.hasPrefix("Data/Leads_0") }.sorted { $0.key < $1.key }
        #expect(leadFiles.count == 2)
        let restored = try Self.pythonCSV(leads + "/Leads.csv")
        #expect(restored.first == leadFiles[0].value.header)
        #expect(restored.dropFirst().map { $0.first ?? "" } == leadFiles.flatMap(\.value.ids), "every row of both files, in order, one header")
        let rows = leadFiles.reduce(into: [String: [String]]()) { $0.merge($1.value.rows ?? [:]) { a, _ in a } }
        #expect(restored.dropFirst().allSatisfy { rows[$0.first ?? ""] == $0 }, "each row as Python reads it from the zips")

        // An unfinished restore (killed after some files): the rerun resumes and completes it.
        let resumed = try makeTemporaryFolder("restore-resume") + "/out"
        _ = try CommandRunner.run(["restore", "--policy", policy, backup.name, "--to", resumed])
        var unfinished = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: resumed + "/restore.json"))) as? [String: Any])
        unfinished["complete"] = false
        try JSONSerialization.data(withJSONObject: unfinished).write(to: URL(fileURLWithPath: resumed + "/restore.json"))
        let gone = try #require(expected.keys.sorted().last)
        try FileManager.default.removeItem(atPath: resumed + "/" + gone)
        try FileManager.default.createDirectory(atPath: resumed + "/.restore-partial", withIntermediateDirectories: true)
        try Data("half a file".utf8).write(to: URL(fileURLWithPath: resumed + "/.restore-partial/x"))
        let rerun = try CommandRunner.run(["restore", "--policy", policy, backup.name, "--to", resumed])
        #expect(rerun.status == 0, "\(rerun.all)")
        #expect(try Self.sha256(resumed + "/" + gone) == expected[gone] && !FileManager.default.fileExists(atPath: resumed + "/.restore-partial"))
    }

    @Test("SIGKILL with a file half written (restore.midFile), then the same restore again: it resumes, and only complete files are left")
    func killedRestoreResumes() async throws {
        let (_, policy, backups) = try await ArchiveCommandTests.archive(count: 1)
        let backup = backups[0]
        let expected = try Self.pythonEntries(backup.manifest.files.map { backup.folder + "/" + $0.name })
        let out = try makeTemporaryFolder("restore-kill") + "/out"
        let killed = try CommandRunner.run(["restore", "--policy", policy, backup.name, "--to", out],
                                           environment: ["ZOHO_CRM_BACKUP_FAULT": "restore.midFile:3"])
        #expect(killed.status != 0, "killed at the third file: \(killed.all)")
        let partial = (try? FileManager.default.contentsOfDirectory(atPath: out + "/.restore-partial")) ?? []
        #expect(partial.count == 1, "the file being written is a temporary copy, not under its name")
        let placed = expected.keys.filter { FileManager.default.fileExists(atPath: out + "/" + $0) }
        #expect(placed.count == 2, "two files complete before the kill: \(placed)")
        for name in placed { #expect(try Self.sha256(out + "/" + name) == expected[name]) }

        let rerun = try CommandRunner.run(["restore", "--policy", policy, backup.name, "--to", out])
        #expect(rerun.status == 0, "\(rerun.all)")
        for (name, digest) in expected { #expect(try Self.sha256(out + "/" + name) == digest, "\(name)") }
        #expect(!FileManager.default.fileExists(atPath: out + "/.restore-partial"), "no partial file left")
    }

    @Test("--force into a folder whose Data is a symbolic link: refused, nothing written through it; a module that is not there: refused")
    func linksInTheFolderAreNotFollowed() async throws {
        let (_, policy, backups) = try await ArchiveCommandTests.archive(count: 1)
        let dir = try makeTemporaryFolder("restore-link")
        try FileManager.default.createDirectory(atPath: dir + "/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/out/Data", withDestinationPath: dir + "/elsewhere")
        try Data("someone else's file".utf8).write(to: URL(fileURLWithPath: dir + "/elsewhere/Leads_001.csv"))
        let r = try CommandRunner.run(["restore", "--policy", policy, backups[0].name, "--to", dir + "/out", "--force"])
        #expect(r.status == 1 && r.stderr.contains("is a symbolic link or a file, not a folder"), "\(r.all)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/elsewhere") == ["Leads_001.csv"], "nothing written or removed through the link")
        #expect(try String(contentsOfFile: dir + "/elsewhere/Leads_001.csv", encoding: .utf8) == "someone else's file")
        let typo = try CommandRunner.run(["restore", "--policy", policy, backups[0].name, "--to", dir + "/typo", "--module", "Contact"])
        #expect(typo.status == 1 && typo.stderr.contains("has no CSV of module Contact"), "\(typo.all)")
    }

    @Test("a zip with ../evil, /etc/x and a symlink (made with Python's zipfile) is archived, and its restore skips and names those three, restores the rest, writes nothing outside the folder")
    func hostileEntriesAreSkipped() async throws {
        let dir = try makeTemporaryFolder("restore-hostile")
        let zip = dir + "/Data_001.zip"
        let marker = "zcb-restore-\(UUID().uuidString)"
        let script = """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("Data/Leads_001.csv", "\\ufeffRecord Id,Last Name\\n1,Rossi\\n")
                z.writestr("../\(marker)-evil", "outside")
                z.writestr("/tmp/\(marker)-abs", "absolute")
                link = zipfile.ZipInfo("Data/link")
                link.create_system = 3
                link.external_attr = 0o120777 << 16
                z.writestr(link, "/etc/passwd")
            """
        let backup = try await FilePart.archived(script: script, zip: zip, in: dir, jobID: "4876876000007777001")
        let out = dir + "/out/inner"
        let r = try CommandRunner.run(["restore", backup.folder, "--to", out])
        #expect(r.status == 1, "something was skipped: \(r.all)")
        for name in ["../\(marker)-evil", "/tmp/\(marker)-abs", "Data/link"] {
            #expect(r.stderr.contains(name.debugDescription), "\(name) is named: \(r.all)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/Data/Leads_001.csv")) == Data("\u{FEFF}Record Id,Last Name\n1,Rossi\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/\(marker)-evil") && !FileManager.default.fileExists(atPath: "/tmp/\(marker)-abs"))
        #expect(!FileManager.default.fileExists(atPath: out + "/Data/link"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out") == ["inner"], "nothing beside the folder")
    }
}

/// Restoring chosen records: after a mass deletion, exactly the deleted rows, ready for Zoho's import.
@Suite("zoho-crm-backup restore of records")
struct RestoreRecordsTests {
    @Test("--deleted-since after mass-change Contacts delete 30: exactly the deleted rows (Python's csv on the zips), header and BOM, their notes; --records with --attachments: the files, byte for byte")
    func deletedSinceAndRecords() async throws {
        let (policy, backups, pythons) = try await DiffHoldCommandTests.evolvingArchive()
        func file(_ i: Int, _ prefix: String) -> PythonCSV.File { pythons[i].files.first { $0.key.hasPrefix(prefix) }!.value }
        let before = file(1, "Data/Contacts_"), after = file(2, "Data/Contacts_")
        let deleted = Set(before.ids).subtracting(after.ids)
        #expect(deleted.count > 50)

        let out = try makeTemporaryFolder("restore-deleted") + "/out"
        let r = try CommandRunner.run(["restore", "--policy", policy, backups[2].name, "--deleted-since", backups[1].manifest.jobID,
                                       "--attachments", "--to", out])
        #expect(r.status == 0, "\(r.all)")
        // Every attachment file restored (of any deleted record) is byte for byte the original.
        let originals = try RestoreCommandTests.pythonEntries([backups[1].folder + "/Attachments_001.zip"])
        for parent in (try? FileManager.default.contentsOfDirectory(atPath: out + "/Attachments")) ?? [] {
            #expect(deleted.contains(parent), "\(parent) is a deleted record")
            for name in try FileManager.default.contentsOfDirectory(atPath: out + "/Attachments/" + parent) {
                #expect(try RestoreCommandTests.sha256(out + "/Attachments/\(parent)/\(name)") == originals["Attachments/\(name)"])
            }
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: out + "/Contacts.csv"))
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF], "the BOM")
        let rows = try RestoreCommandTests.pythonCSV(out + "/Contacts.csv")
        #expect(rows.first == before.header, "the module's header")
        #expect(Set(rows.dropFirst().map { $0.first ?? "" }) == deleted && rows.count == deleted.count + 1, "exactly the deleted ids")
        #expect(rows.dropFirst().allSatisfy { before.rows?[$0.first ?? ""] == $0 }, "each row as it was in the older backup")
        let notes = file(1, "Data/Notes_")
        let parent = try #require(notes.header.firstIndex(of: "Parent.id"))
        let expectedNotes = Set((notes.rows ?? [:]).filter { parent < $0.value.count && deleted.contains($0.value[parent]) }.keys)
        let restoredNotes = try RestoreCommandTests.pythonCSV(out + "/Notes.csv")
        #expect(restoredNotes.first == notes.header && Set(restoredNotes.dropFirst().map { $0.first ?? "" }) == expectedNotes, "their notes")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/restore.json"))) as? [String: Any])
        #expect(report["complete"] as? Bool == true && (report["records"] as? [String: Int])?["Contacts"] == deleted.count)
        #expect(try String(contentsOfFile: out + "/RESTORE.md", encoding: .utf8).contains("Importing into Zoho CRM"))

        // A record with attachments, by id (one unknown id beside it): its row, attachments.csv, and the files.
        let list = file(1, "Data/Attachments_")
        let parentColumn = try #require(list.header.firstIndex(of: "Parent.id"))
        let (attachmentID, row) = try #require((list.rows ?? [:]).sorted { $0.key < $1.key }.first)
        let owner = row[parentColumn]
        let ids = try makeTemporaryFolder("restore-ids") + "/ids.txt"
        try "\(owner)\n4876876999999999999\n".write(toFile: ids, atomically: true, encoding: .utf8)
        let out2 = try makeTemporaryFolder("restore-records") + "/out"
        let r2 = try CommandRunner.run(["restore", "--policy", policy, backups[1].name, "--records", ids, "--attachments", "--to", out2])
        #expect(r2.status == 0 && r2.stderr.contains("not found in \(backups[1].name): 4876876999999999999"), "\(r2.all)")
        let restoredList = try RestoreCommandTests.pythonCSV(out2 + "/attachments.csv")
        #expect(restoredList.dropFirst().contains { $0.first == attachmentID }, "attachments.csv maps the file to its parent")
        let folder = out2 + "/Attachments/\(owner)"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        let name = try #require(names.first { $0.hasPrefix(attachmentID + "_") })
        let zip = backups[1].folder + "/Attachments_001.zip"
        let original = try RestoreCommandTests.pythonEntries([zip])["Attachments/\(name)"]
        #expect(try RestoreCommandTests.sha256(folder + "/" + name) == original, "the attachment's bytes")
        // Products never hold attachments' parents: none of the ids is there.
        let none = try CommandRunner.run(["restore", "--policy", policy, backups[1].name, "--records", ids, "--module", "Products", "--to", out2 + "-none"])
        #expect(none.status == 1 && none.stderr.contains("none of the 2 ids is in backup"), "\(none.all)")
    }
}

/// `find --history` reads the indexes and only the entries of the module that holds the id.
@Suite("zoho-crm-backup find over a year")
struct FindHistoryTests {
    @Test("52 weekly backups, every Leads entry damaged inside its zip: find --history of a Contact still answers — it never inflates another module's entries")
    func historyReadsOnlyTheModule() async throws {
        let (dir, policy, _) = try await ArchiveCommandTests.archive(count: 0)
        let content = BackupContent(folder: dir + "/evolving", recordsPerModule: 20, attachmentsPerPart: 1, attachmentBytes: 100)
        var dataset = content.dataset(seed: 21, attachmentParts: 1)
        let folder = ArchiveFolder(path: dir + "/archive", org: "acme", minFree: ByteSize(bytes: 0), logger: Logger(label: "t"))
        var parts: [String] = []
        for week in 0..<52 {
            dataset.takeBackup()
            let job = "48768760000040\(String(format: "%05d", week))"
            let refs = ["Data_001.zip", "Data_002.zip", "Attachments_001.zip"].map { PartRef(fileName: $0, url: "file:///\(job)/\($0)") }
            let spec = JobSpec(org: "acme", jobID: job, zgid: "1", parts: refs, completedAt: Date(timeIntervalSince1970: 1_795_000_000 + Double(week) * 604_800))
            let backup = try await folder.archive(spec, from: EvolvingParts(content: content, dataset: dataset, job: job), now: Date())
            parts += ["Data_001.zip", "Data_002.zip"].map { backup.folder + "/" + $0 }
        }
        let first = try #require(try PythonCSV.read([parts[0], parts[1]], rows: false).files.first { $0.key.hasPrefix("Data/Contacts_") }?.value.ids)
        let leads = try #require(try PythonCSV.read([parts[102], parts[103]], rows: false).files.first { $0.key.hasPrefix("Data/Leads_") }?.value.ids.first)
        // Flip a byte in the middle of every Leads entry's compressed data (its CRC can no longer match).
        let script = """
            import struct, sys, zipfile
            damaged = 0
            for path in sys.argv[1:]:
                with zipfile.ZipFile(path) as z:
                    infos = [i for i in z.infolist() if i.filename.startswith("Data/Leads_")]
                with open(path, "r+b") as f:
                    for info in infos:
                        f.seek(info.header_offset)
                        header = f.read(30)
                        name_length, extra_length = struct.unpack("<HH", header[26:30])
                        at = info.header_offset + 30 + name_length + extra_length + info.compress_size // 2
                        f.seek(at); byte = f.read(1); f.seek(at); f.write(bytes([byte[0] ^ 0xFF])); damaged += 1
            print(damaged)
            """
        let damage = try await ChildProcess.run("/usr/bin/python3", ["-c", script] + parts)
        #expect(damage.status == 0 && damage.stdout.hasPrefix("156"), "three Leads entries (two files and Leads_RecordAccess) in each of 52 backups: \(damage.stdout) \(damage.stderr)")
        var answered = 0
        for id in first {
            let r = try CommandRunner.run(["find", "--policy", policy, id, "--history", "--json"])
            #expect(r.status == 0, "\(id): \(r.all)")
            let found = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])?.first)
            if let history = found["history"] as? [[String: Any]], !history.isEmpty, (found["backups"] as? [Any])?.count ?? 0 > 10 {
                answered += 1
                #expect(history.allSatisfy { !(($0["columns"] as? [Any]) ?? []).isEmpty }, "each change names its columns")
            }
            if answered >= 2 { break }
        }
        #expect(answered >= 2, "Contacts with a history across the year were found and read")
        // The damage is real: a Leads record cannot be read.
        let broken = try CommandRunner.run(["find", "--policy", policy, leads])
        #expect(broken.status == 1 && broken.stderr.contains("Leads"), "\(broken.all)")
    }
}

/// Odd rows in a restore of chosen records: reported, nothing lost.
@Suite("zoho-crm-backup restore of odd rows")
struct RestoreOddRowsTests {
    @Test("an id in two rows: both restored and reported; a quote never closed: reported with file and line")
    func repeatedIDAndBrokenRow() async throws {
        let dir = try makeTemporaryFolder("restore-odd")
        let zip = dir + "/Data_001.zip"
        let script = """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("Data/Contacts_001.csv", "\\ufeffRecord Id,Last Name\\n1,Rossi\\n2,Bianchi\\n1,Rossi again\\n4,\\"a,\\u0301b\\"\\n3,\\"never closed\\n")
            """
        let backup = try await FilePart.archived(script: script, zip: zip, in: dir, jobID: "4876876000007777002")
        let ids = dir + "/ids"
        try "1\n4\n".write(toFile: ids, atomically: true, encoding: .utf8)
        let r = try CommandRunner.run(["restore", backup.folder, "--records", ids, "--to", dir + "/out"])
        #expect(r.status == 0, "\(r.all)")
        #expect(try RestoreCommandTests.pythonCSV(dir + "/out/Contacts.csv") == [["Record Id", "Last Name"], ["1", "Rossi"], ["1", "Rossi again"],
                                                                                  ["4", "a,\u{0301}b"]], "a comma before a combining mark stays inside its field")
        #expect(r.stderr.contains("Data_001.zip:Data/Contacts_001.csv: id 1 is in more than one row; every one is restored"), "\(r.all)")
        #expect(r.stderr.contains("Data_001.zip:Data/Contacts_001.csv: line 6: a quoted field opened on line 6 never closes"), "\(r.all)")
    }
}
