import BackupArchive
import Foundation
import TestSupport
import Logging
import Testing
import ZohoModel
import ZohoSimulator

/// Serves the simulator's generated parts straight from files, to build archives for the CLI.
struct GeneratedParts: PartSource {
    let content: BackupContent
    let job: String

    func fetch(_ part: PartRef, from offset: Int64,
               into sink: (Int64, Int64?, UnsafeRawBufferPointer) throws -> Void) async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: try content.file(job: job, name: part.fileName, dataParts: 2, seed: 3)))
        try data.dropFirst(Int(offset)).withUnsafeBytes { try sink(offset, Int64(data.count), $0) }
    }
}

@Suite("zoho-crm-backup list, verify, prune")
struct ArchiveCommandTests {
    /// A policy whose org `acme` has `count` archived backups, one a week.
    static func archive(count: Int) async throws -> (dir: String, policy: String, backups: [ArchivedBackup]) {
        let dir = try makeTemporaryFolder("archive-cli")
        let policy = dir + "/policy.yaml"
        try """
            version: 1
            state_dir: \(dir)/state
            orgs:
              acme:
                data_center: us
                credentials: acme
                schedule: none
                timezone: UTC
                archive:
                  path: \(dir)/archive
                  keep: { last: 2, weekly: 0, monthly: 0, yearly: 0 }
            """.write(toFile: policy, atomically: true, encoding: .utf8)
        let folder = ArchiveFolder(path: dir + "/archive", org: "acme", minFree: ByteSize(bytes: 0), logger: Logger(label: "t"))
        var backups: [ArchivedBackup] = []
        for i in 0..<count {
            let job = "48768760000020\(String(format: "%05d", i))"
            let parts = ["Data_001.zip", "Data_002.zip", "Attachments_001.zip"].map { PartRef(fileName: $0, url: "file:///\(job)/\($0)") }
            let spec = JobSpec(org: "acme", jobID: job, zgid: "1", parts: parts, completedAt: Date(timeIntervalSince1970: 1_795_000_000 + Double(i) * 604_800))
            backups.append(try await folder.archive(spec, from: GeneratedParts(content: BackupContent(folder: dir + "/content"), job: job), now: Date()))
        }
        return (dir, policy, backups)
    }

    @Test func listShowsEveryBackupNewestFirst() async throws {
        let (_, policy, backups) = try await Self.archive(count: 3)
        let r = try CommandRunner.run(["list", "--policy", policy])
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("acme: 3 backups in"))
        let lines = r.stdout.split(separator: "\n").filter { $0.contains(" job ") }
        #expect(lines.first?.contains("job \(backups[2].manifest.jobID)  3 parts") == true)
        let json = try CommandRunner.run(["list", "--policy", policy, "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 3 && rows.allSatisfy { $0["state"] as? String == "verified" })
    }

    @Test func verifyPassesThenNamesTheDamagedFile() async throws {
        let (_, policy, backups) = try await Self.archive(count: 2)
        #expect(try CommandRunner.run(["verify", "--policy", policy]).status == 0)
        let target = backups[0].folder + "/Attachments_001.zip"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: target))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: target))
        let r = try CommandRunner.run(["verify", "--policy", policy])
        #expect(r.status == 1)
        #expect(r.stderr.contains("acme \(backups[0].name): Attachments_001.zip: SHA-256"))
        #expect(r.stdout.contains("acme \(backups[1].name): OK (3 files)"))
        #expect(try CommandRunner.run(["verify", "--policy", policy, backups[1].manifest.jobID]).status == 0, "by job id")
        #expect(try CommandRunner.run(["verify", "--policy", policy, "no-such-backup"]).status == 64)
    }

    @Test func pruneShowsReasonsAndRemoves() async throws {
        let (dir, policy, backups) = try await Self.archive(count: 4)
        let dry = try CommandRunner.run(["prune", "--dry-run", "--policy", policy])
        #expect(dry.status == 0, "\(dry.all)")
        #expect(dry.stdout.contains("acme \(backups[3].name): keep   — last #1"))
        #expect(dry.stdout.contains("acme \(backups[0].name): would remove — beyond keep.last=2"))
        #expect(FileManager.default.fileExists(atPath: backups[0].folder))
        let r = try CommandRunner.run(["prune", "--policy", policy, "--json"])
        #expect(r.status == 0, "\(r.all)")
        #expect(!FileManager.default.fileExists(atPath: backups[0].folder))
        #expect(!FileManager.default.fileExists(atPath: backups[1].folder))
        #expect(FileManager.default.fileExists(atPath: backups[3].folder))
        #expect(FileManager.default.fileExists(atPath: dir + "/archive/.pruned.json"))
    }

    @Test("inspect shows what the index holds (counts as Python's csv reads them); without an index it says to reindex, which builds it")
    func inspectAndReindex() async throws {
        let (_, policy, backups) = try await Self.archive(count: 2)
        let newest = backups[1]
        let python = try PythonCSV.read(newest.manifest.files.map { newest.folder + "/" + $0.name }, rows: false)
        var expected: [String: Int] = [:]
        for (name, file) in python.files {
            let stem = name.dropFirst("Data/".count).dropLast(".csv".count)
            expected[String(stem[..<stem.lastIndex(of: "_")!]), default: 0] += file.ids.count
        }
        let json = try CommandRunner.run(["inspect", "--policy", policy, newest.manifest.jobID, "--json"])
        #expect(json.status == 0, "\(json.all)")
        let contents = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let modules = try #require(contents["modules"] as? [[String: Any]])
        #expect(Dictionary(uniqueKeysWithValues: modules.map { ($0["name"] as? String ?? "", $0["records"] as? Int ?? -1) }) == expected)
        #expect(contents["previous_backup"] as? String == backups[0].name && contents["modules_added"] as? [String] == [])
        #expect(contents["attachments"] as? Int == python.attachments.count)
        let text = try CommandRunner.run(["inspect", "--policy", policy, newest.name])
        #expect(text.status == 0 && text.stdout.contains("Data/Leads_001.csv (Data_001.zip), Data/Leads_002.csv (Data_002.zip)"), "\(text.all)")

        unlink(newest.folder + "/index")
        let missing = try CommandRunner.run(["inspect", "--policy", policy, newest.name])
        #expect(missing.status == 1 && missing.stderr.contains("zoho-crm-backup reindex \(newest.name)"), "\(missing.all)")
        let sealed = try ["manifest.json", "SHA256SUMS"].map { try Data(contentsOf: URL(fileURLWithPath: newest.folder + "/" + $0)) }
        let reindex = try CommandRunner.run(["reindex", "--policy", policy])
        #expect(reindex.status == 0, "\(reindex.all)")
        #expect(reindex.stdout.contains("acme \(newest.name): index built") && reindex.stdout.contains("acme \(backups[0].name): index valid"), "\(reindex.all)")
        #expect(try CommandRunner.run(["inspect", "--policy", policy, newest.name, "--json"]).stdout == json.stdout)
        #expect(try ["manifest.json", "SHA256SUMS"].map { try Data(contentsOf: URL(fileURLWithPath: newest.folder + "/" + $0)) } == sealed)
    }
}

/// `status` names what the archive's quarantine holds.
@Suite("status and the quarantine")
struct StatusQuarantineTests {
    @Test("status (text and JSON) names the quarantined job, its files and the folder")
    func statusNamesTheQuarantine() throws {
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "unmanaged")
        let job = "4876876000009999001"
        let partial = "\(setup.archive)/.partial/\(job)"
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        try Data("PK not really".utf8).write(to: URL(fileURLWithPath: "\(partial)/.failed-Data_001.zip"))
        let folder = ArchiveFolder(path: setup.archive, org: "acme", minFree: ByteSize(bytes: 0), logger: .init(label: "test"))
        _ = try folder.quarantine(jobID: job, reason: "its links expired before every part was downloaded and verified", now: Date())

        let text = try CommandRunner.run(["status", "--policy", setup.policy], environment: setup.environment)
        #expect(text.stdout.contains("QUARANTINE: backup \(job): Data_001.zip kept in \(setup.archive)/.quarantine/\(job)"), "\(text.all)")
        let json = try CommandRunner.run(["status", "--policy", setup.policy, "--json"], environment: setup.environment)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let kept = try #require(rows.first?["quarantined"] as? [[String: Any]])
        #expect(kept.first?["job_id"] as? String == job)
        #expect(kept.first?["files"] as? [String] == ["Data_001.zip"])
    }
}

/// Serves the parts of one backup of an evolving simulated dataset.
struct EvolvingParts: PartSource {
    let content: BackupContent
    let dataset: SimulatedDataset
    let job: String

    func path(_ name: String) throws -> String {
        try content.file(job: job, name: name, dataParts: 2, attachmentParts: 1, dataset: dataset)
    }

    func fetch(_ part: PartRef, from offset: Int64,
               into sink: (Int64, Int64?, UnsafeRawBufferPointer) throws -> Void) async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: try path(part.fileName)))
        try data.dropFirst(Int(offset)).withUnsafeBytes { try sink(offset, Int64(data.count), $0) }
    }
}

/// `diff`, `hold` and `find` as an admin runs them.
@Suite("zoho-crm-backup diff, hold, find")
struct DiffHoldCommandTests {
    /// Three weekly backups of an evolving simulated org, 30 % of Contacts deleted before the
    /// third; what Python's `csv` reads from each backup's zips.
    static func evolvingArchive() async throws -> (policy: String, backups: [ArchivedBackup], python: [PythonCSV]) {
        let (dir, policy, _) = try await ArchiveCommandTests.archive(count: 0)
        let content = BackupContent(folder: dir + "/evolving", recordsPerModule: 200, attachmentsPerPart: 1, attachmentBytes: 500)
        var dataset = content.dataset(seed: 9, attachmentParts: 1)
        let folder = ArchiveFolder(path: dir + "/archive", org: "acme", minFree: ByteSize(bytes: 0), logger: Logger(label: "t"))
        var backups: [ArchivedBackup] = []
        var pythons: [PythonCSV] = []
        for i in 0..<3 {
            if i == 2 { dataset.admin(.massDelete(module: "Contacts", percent: 30)) }
            dataset.takeBackup()
            let job = "48768760000030\(String(format: "%05d", i))"
            let parts = ["Data_001.zip", "Data_002.zip", "Attachments_001.zip"].map { PartRef(fileName: $0, url: "file:///\(job)/\($0)") }
            let spec = JobSpec(org: "acme", jobID: job, zgid: "1", parts: parts, completedAt: Date(timeIntervalSince1970: 1_795_000_000 + Double(i) * 604_800))
            let source = EvolvingParts(content: content, dataset: dataset, job: job)
            backups.append(try await folder.archive(spec, from: source, now: Date()))
            pythons.append(try PythonCSV.read(try parts.map { try source.path($0.fileName) }))
        }
        return (policy, backups, pythons)
    }

    @Test("find: the backups that hold a record, where its row changed, where it went missing, and the row itself as Python's csv reads it")
    func findRecord() async throws {
        let (policy, backups, pythons) = try await Self.evolvingArchive()
        func contacts(_ i: Int) -> (header: [String], rows: [String: [String]]) {
            let file = pythons[i].files.first { $0.key.hasPrefix("Data/Contacts_") }!.value
            return (file.header, file.rows ?? [:])
        }
        // A Contact edited in the second backup and deleted before the third.
        let id = try #require(contacts(1).rows.keys.sorted().first { key in
            contacts(2).rows[key] == nil && contacts(0).rows[key] != nil && contacts(0).rows[key] != contacts(1).rows[key]
        }, "the simulated week edits and the mass deletion overlap")
        let json = try CommandRunner.run(["find", "--policy", policy, id, "--json"])
        #expect(json.status == 0, "\(json.all)")
        let found = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])?.first)
        let presences = try #require(found["backups"] as? [[String: Any]])
        #expect(presences.map { $0["backup"] as? String } == [backups[0].name, backups[1].name])
        #expect(presences.map { $0["changed"] as? Bool } == [false, true])
        #expect(presences.allSatisfy { $0["module"] as? String == "Contacts" })
        #expect(found["missing_since"] as? String == backups[2].name)
        let record = try #require(found["record"] as? [[String: String]])
        #expect(record.map { $0["column"] ?? "" } == contacts(1).header, "the header, in order")
        #expect(record.map { $0["value"] ?? "" } == contacts(1).rows[id], "the row as Python reads it")

        let withHistory = try CommandRunner.run(["find", "--policy", policy, id, "--history", "--json"])
        let history = try #require(((try JSONSerialization.jsonObject(with: Data(withHistory.stdout.utf8)) as? [[String: Any]])?.first?["history"]) as? [[String: Any]])
        #expect(history.map { $0["backup"] as? String } == [backups[1].name], "one change, in the second backup")
        let (header, before, after) = (contacts(1).header, contacts(0).rows[id] ?? [], contacts(1).rows[id] ?? [])
        let expected = header.indices.filter { $0 < before.count && $0 < after.count && before[$0] != after[$0] }
            .map { [header[$0], before[$0], after[$0]] }
        let got = (history.first?["columns"] as? [[String: String]] ?? []).map { [$0["column"] ?? "", $0["before"] ?? "", $0["after"] ?? ""] }
        #expect(got == expected && !got.isEmpty, "column by column, as Python's rows differ")

        let text = try CommandRunner.run(["find", "--policy", policy, "--module", "Contacts", id])
        #expect(text.status == 0 && text.stdout.contains("\(backups[1].name)  ") && text.stdout.contains("changed"), "\(text.all)")
        #expect(text.stdout.contains("\(backups[2].name)  not in this backup"), "\(text.all)")
        // Notes and attachments by Parent.id, as Python reads Notes_001.csv and Attachments_001.csv of the newest backup.
        func children(_ file: String) -> [String: Set<String>] {
            guard let csv = pythons[2].files[file], let column = csv.header.firstIndex(of: "Parent.id") else { return [:] }
            var byParent: [String: Set<String>] = [:]
            for (record, row) in csv.rows ?? [:] where column < row.count { byParent[row[column], default: []].insert(record) }
            return byParent
        }
        let notes = children("Data/Notes_001.csv"), attachments = children("Data/Attachments_001.csv")
        for (parent, expected) in [notes.first { contacts(2).rows[$0.key] != nil }, attachments.first].compactMap({ $0 }) {
            let r = try CommandRunner.run(["find", "--policy", policy, parent, "--json"])
            let object = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])?.first, "\(r.all)")
            let kind = notes[parent] == expected ? "notes" : "attachments"
            let rows = try #require(object[kind] as? [[[String: String]]])
            #expect(Set(rows.compactMap { $0.first?["value"] }) == expected, "\(parent): its \(kind), by Parent.id")
        }
        #expect(!notes.isEmpty && !attachments.isEmpty)

        let missing = try CommandRunner.run(["find", "--policy", policy, "4876876999999999999"])
        #expect(missing.status == 1 && missing.stderr.contains("no backup of acme holds record 4876876999999999999"), "\(missing.all)")
        let wrongModule = try CommandRunner.run(["find", "--policy", policy, "--module", "Leads", id])
        #expect(wrongModule.status == 1, "\(wrongModule.all)")
    }

    @Test("diff: the two newest by default, JSON and id lists that match Python's csv; hold, list, prune --dry-run, release")
    func diffAndHold() async throws {
        let (policy, backups, pythons) = try await Self.evolvingArchive()
        let contacts = pythons.map { Set($0.files.filter { $0.key.hasPrefix("Data/Contacts_") }.flatMap(\.value.ids)) }
        let deleted = contacts[1].subtracting(contacts[2])
        #expect(deleted.count > 50)

        let text = try CommandRunner.run(["diff", "--policy", policy])
        #expect(text.status == 0, "\(text.all)")
        #expect(text.stdout.contains("acme: \(backups[1].name) → \(backups[2].name)"), "\(text.all)")
        #expect(text.stdout.split(separator: "\n").contains { $0.contains("Contacts") && $0.contains("deleted 3") }, "\(text.all)")

        let json = try CommandRunner.run(["diff", "--policy", policy, "--json", "--module", "Contacts"])
        #expect(json.status == 0, "\(json.all)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let modules = try #require(object["modules"] as? [[String: Any]])
        #expect(modules.count == 1 && modules[0]["module"] as? String == "Contacts" && modules[0]["deleted"] as? Int == deleted.count)
        #expect(object["older"] as? String == backups[1].name && object["newer_job_id"] as? String == backups[2].manifest.jobID)

        let list = try CommandRunner.run(["diff", "--policy", policy, "--list", "deleted", backups[1].manifest.jobID, backups[2].name])
        #expect(list.status == 0, "\(list.all)")
        let lines = list.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(Set(lines.filter { $0.first == "Contacts" }.map { $0[2] }) == Set(deleted.map { $0.hasPrefix("zcrm_") ? String($0.dropFirst(5)) : $0 }))
        #expect(lines.allSatisfy { $0.count == 3 && $0[1] == "deleted" })

        let one = try CommandRunner.run(["diff", "--policy", policy, backups[0].name])
        #expect(one.status == 0 && one.stdout.contains("\(backups[0].name) → \(backups[2].name)"), "one backup named: against the newest. \(one.all)")
        let missing = try CommandRunner.run(["diff", "--policy", policy, "nope"])
        #expect(missing.status == 1 && missing.stderr.contains("no archived backup"), "\(missing.all)")

        // A legal hold on the oldest: retention (keep.last 2) would remove it.
        let held = try CommandRunner.run(["hold", "--policy", policy, backups[0].name, "--reason", "legal hold, case 2027-14"])
        #expect(held.status == 0, "\(held.all)")
        #expect(try CommandRunner.run(["list", "--policy", policy]).stdout.contains("HELD — legal hold, case 2027-14"))
        let holds = try CommandRunner.run(["hold", "--policy", policy])
        #expect(holds.stdout.contains("acme \(backups[0].name): held (manual, until released) — legal hold, case 2027-14"), "\(holds.all)")
        let dry = try CommandRunner.run(["prune", "--policy", policy, "--dry-run"])
        #expect(dry.stdout.contains("acme \(backups[0].name): keep   — held — legal hold, case 2027-14"), "\(dry.all)")
        let released = try CommandRunner.run(["hold", "--policy", policy, "--release", backups[0].name])
        #expect(released.status == 0 && released.stdout.contains("released — legal hold, case 2027-14"), "\(released.all)")
        #expect(try CommandRunner.run(["prune", "--policy", policy, "--dry-run"]).stdout.contains("acme \(backups[0].name): would remove"))
        #expect(try CommandRunner.run(["hold", "--policy", policy]).stdout.contains("no backup is held"))
    }
}

/// `status` while a mass-change hold is in force: the alarm, exit 1; released: exit 0.
@Suite("status and a mass change")
struct StatusMassChangeTests {
    @Test("status names the mass change and exits 1 until the hold is released; list and inspect show the hold")
    func statusAlarmUntilReleased() async throws {
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "unmanaged")
        let folder = ArchiveFolder(path: setup.archive, org: "acme", minFree: ByteSize(bytes: 0), logger: .init(label: "test"))
        let job = "4876876000008888001"
        let parts = ["Data_001.zip", "Data_002.zip", "Attachments_001.zip"].map { PartRef(fileName: $0, url: "file:///\(job)/\($0)") }
        let spec = JobSpec(org: "acme", jobID: job, zgid: "1", parts: parts, completedAt: Date(timeIntervalSinceNow: -86_400))
        let backup = try await folder.archive(spec, from: GeneratedParts(content: BackupContent(folder: setup.folder + "/content"), job: job), now: Date())
        let now = Date()
        try folder.updateHolds(now: now) { file in
            file.holds = [Hold(backup: backup.name, jobID: job, kind: .massChange, reason: "last backup before the mass change of Contacts on today",
                               createdAt: now, expiresAt: now.addingTimeInterval(90 * 86_400), changedIn: "2026-12-01T093000Z_4876876000008888002",
                               modules: ["Contacts"], findings: ["Contacts lost 3,120 of 41,200 records (7.6 %)"])]
        }

        let text = try CommandRunner.run(["status", "--policy", setup.policy], environment: setup.environment)
        #expect(text.status == 1, "a mass change is an alarm: \(text.all)")
        #expect(text.stdout.contains("MASS CHANGE: Contacts lost 3,120 of 41,200 records (7.6 %) in backup 2026-12-01T093000Z_4876876000008888002"), "\(text.all)")
        #expect(text.stdout.contains("backup \(backup.name) is held until"), "\(text.all)")
        let json = try CommandRunner.run(["status", "--policy", setup.policy, "--json"], environment: setup.environment)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.first?["mass_change_alarm"] as? Bool == true)
        #expect((rows.first?["holds"] as? [[String: Any]])?.first?["kind"] as? String == "mass_change")
        #expect(try CommandRunner.run(["list", "--policy", setup.policy], environment: setup.environment).stdout.contains("HELD — last backup before the mass change of Contacts"))
        #expect(try CommandRunner.run(["inspect", "--policy", setup.policy, job], environment: setup.environment).stdout.contains("HELD — last backup before the mass change of Contacts"))

        let release = try CommandRunner.run(["hold", "--policy", setup.policy, "--release", job], environment: setup.environment)
        #expect(release.status == 0, "\(release.all)")
        let after = try CommandRunner.run(["status", "--policy", setup.policy], environment: setup.environment)
        #expect(after.status == 0 && !after.stdout.contains("MASS CHANGE"), "released: the alarm is over. \(after.all)")
    }
}
