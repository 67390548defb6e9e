import BackupArchive
import Foundation
import Logging
import RestoreFormats
import Supervisor
import Testing
import TestSupport
import ZohoModel
import ZohoSimulator

/// `restore --format sqlite|xlsx` on evolving simulated backups (Italian headers, quoted line
/// breaks, a module over two parts): the database read back with Python's sqlite3 and the
/// workbook with openpyxl hold the same rows and values as Python's csv reads from the zips.
@Suite("Restore into SQLite and XLSX", .enabled(if: TableReader.python != nil, "make test sets ZCB_PYTHON (a venv with openpyxl)"))
struct TableRestoreTests {
    /// Two weekly backups of an Italian org, archived; Contacts lose 10 % in the second.
    static func backups(_ root: String) async throws -> [(backup: ArchivedBackup, python: PythonCSV)] {
        var content = BackupContent(folder: root + "/content", recordsPerModule: 300, attachmentsPerPart: 4, attachmentBytes: 2_000)
        content.locale = "it"
        var dataset = content.dataset(seed: 11, attachmentParts: 1)
        let folder = ArchiveFolder(path: root + "/archive", org: "acme", minFree: ByteSize(bytes: 0), logger: Logger(label: "test"))
        var result: [(ArchivedBackup, PythonCSV)] = []
        for number in 1...2 {
            if number == 2 { dataset.admin(.massDelete(module: "Contacts", percent: 10)) }
            dataset.takeBackup()
            let parts = DatasetParts(content: content, dataset: dataset, job: "48768760000\(number)")
            let backup = try await folder.archive(parts.spec, from: parts, now: parts.spec.completedAt)
            result.append((backup, try PythonCSV.read(try parts.spec.parts.map { try parts.path($0.fileName) })))
        }
        return result
    }

    /// Python's rows of `module`: every file of it, in the index's order.
    static func expected(_ python: PythonCSV, _ module: RecordIndexHeader.Module) -> [[String]] {
        module.files.flatMap { file -> [[String]] in
            guard let read = python.files[file.name] else { return [] }
            return read.ids.compactMap { read.rows?[$0] }
        }
    }

    static func check(_ tables: TableReader, _ table: String, module: RecordIndexHeader.Module, rows: [[String]], _ what: String) {
        guard let got = tables.tables[table] else {
            Issue.record("\(what): no table \(table) in \(tables.order)")
            return
        }
        #expect(got.header.trimmed == module.header, "\(what) \(table): the header")
        #expect(got.rows.count == rows.count, "\(what) \(table): \(got.rows.count) rows, Python's csv reads \(rows.count)")
        for (i, (row, want)) in zip(got.rows, rows).enumerated() where row.trimmed != want.trimmed {
            Issue.record("\(what) \(table) row \(i + 1): \(row) ≠ \(want)")
            break
        }
    }

    @Test("every module, whole: the same rows and values as Python's csv; ids the primary key; numbers stored as numbers; the backup table")
    func whole() async throws {
        let root = try makeTemporaryFolder("tables")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (backup, python) = try await Self.backups(root)[1]
        let index = try RecordIndex(path: backup.folder + "/index")
        let leads = try #require(index.module("Leads"))
        #expect(leads.files.count == 2 && leads.header.first == "ID record", "a module over two parts, Italian headers")
        #expect(Self.expected(python, leads).contains { $0.contains { $0.contains("\r\n") } } && Self.expected(python, leads).contains { $0.contains { $0.contains("\"") } }, "values with line breaks and quotes")
        for format in [RestoreFormat.sqlite, .xlsx] {
            let dir = root + "/restored-\(format)"
            let result = try BackupFolder(path: backup.folder).map { try $0.restore(to: dir, modules: nil, force: false, format: format) }
            let restored = try #require(result)
            let file = "acme-\(backup.name).\(format)"
            #expect(restored.files.first?.path == file && restored.format == format.rawValue)
            let tables = try await TableReader.read(format.rawValue, dir + "/" + file)
            for module in index.header.modules { Self.check(tables, module.name, module: module, rows: Self.expected(python, module), "\(format)") }
            #expect(restored.records?["Leads"] == Self.expected(python, leads).count)
            let report = try JSONDecoder().decode(Restore.Report.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/restore.json")))
            #expect(report.complete && report.output == format.rawValue && report.files.first?.path == file)
            let readme = try String(contentsOfFile: dir + "/RESTORE.md", encoding: .utf8)
            #expect(readme.contains(file) && readme.contains("- Leads: \(Self.expected(python, leads).count) rows"))
            if format == .sqlite {
                #expect(tables.tables["Leads"]?.primary_key == ["ID record"] && tables.tables["Leads"]?.types == ["integer"], "numeric ids as integers")
                let parts = try #require(tables.tables["backup"])
                #expect(parts.rows.map { $0[4] } == backup.manifest.files.map(\.name) && parts.rows.map { $0[6] } == backup.manifest.files.map(\.sha256))
                #expect(parts.rows.allSatisfy { $0[0] == "acme" && $0[1] == backup.manifest.jobID })
            } else {
                #expect(tables.order.first == "About" && tables.order.dropFirst() == index.header.modules.map(\.name).sorted()[...])
            }
        }
    }

    @Test("chosen records (--records, --deleted-since) with their notes and attachments, into SQLite and XLSX")
    func chosen() async throws {
        let root = try makeTemporaryFolder("tables-chosen")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let backups = try await Self.backups(root)
        let (old, oldPython) = backups[0]
        let new = try #require(BackupFolder(path: backups[1].backup.folder))
        let index = try RecordIndex(path: old.folder + "/index")
        let contacts = try #require(index.module("Contacts")), notes = try #require(index.module("Notes"))
        let deleted = Set(Self.expected(oldPython, contacts).map { $0[0] }).subtracting(Self.expected(backups[1].python, contacts).map { $0[0] })
        #expect(deleted.count >= 25)
        let dir = root + "/deleted"
        let result = try #require(try BackupFolder(path: old.folder)).restore(deletedBefore: new, modules: ["Contacts"], attachments: true, to: dir, force: false, format: .xlsx)
        let tables = try await TableReader.read("xlsx", dir + "/" + (result.files.first?.path ?? ""))
        Self.check(tables, "Contacts", module: contacts, rows: Self.expected(oldPython, contacts).filter { deleted.contains($0[0]) }, "deleted")
        let parent = try #require(notes.header.firstIndex(of: "Parent.id"))
        Self.check(tables, "Notes", module: notes, rows: Self.expected(oldPython, notes).filter { deleted.contains($0[parent]) }, "their notes")
        let attachments = try #require(tables.tables["Attachments"])
        #expect(attachments.header.last == Restore.filePathColumn)
        for row in attachments.rows {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + row.trimmed.last!), "\(row): the restored file")
        }

        let leads = try #require(index.module("Leads"))
        let chosenLeads = Array(Self.expected(oldPython, leads).map { $0[0] }.prefix(3))
        let sqlite = root + "/records"
        let records = try #require(try BackupFolder(path: old.folder)).restore(records: chosenLeads + ["999"], modules: nil, attachments: false, to: sqlite, force: false, format: .sqlite)
        #expect(records.not_found == ["999"] && records.records?["Leads"] == 3)
        let read = try await TableReader.read("sqlite", sqlite + "/" + (records.files.first?.path ?? ""))
        Self.check(read, "Leads", module: leads, rows: Self.expected(oldPython, leads).filter { chosenLeads.contains($0[0]) }, "records")
        Self.check(read, "Notes", module: notes, rows: Self.expected(oldPython, notes).filter { chosenLeads.contains($0[parent]) }, "records' notes")
        #expect(read.tables["Contacts"] == nil && read.tables["Attachments"] == nil)
    }
}
