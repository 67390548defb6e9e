import BackupArchive
import Foundation
import Testing
import TestSupport
@testable import RestoreFormats

/// The database's odd cases, read back with Python's sqlite3: a record Zoho wrote twice, a
/// header with a repeated or empty name, modules named like SQLite's own tables, short rows.
@Suite("SQLite tables", .enabled(if: TableReader.python != nil, "make test sets ZCB_PYTHON"))
struct SQLiteTablesTests {
    static func backup(_ folder: String) throws -> ArchivedBackup {
        let json = """
            {"tool": "zoho-crm-backup", "tool_version": "1", "format": 2, "org": "acme", "job_id": "4876876000123", "completed_at": "2027-01-15T08:00:00Z",
             "rrule": "FREQ=WEEKLY", "committed_at": "2027-01-15T08:05:00Z",
             "files": [{"name": "Data_001.zip", "kind": "data", "size": 10, "sha256": "ab", "entries": 1, "uncompressed_bytes": 10, "verified_at": "2027-01-15T08:05:00Z"}]}
            """
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return ArchivedBackup(folder: folder, manifest: try decoder.decode(Manifest.self, from: Data(json.utf8)))
    }

    @Test("a repeated id goes to '<table> (duplicate ids)' and is named; repeated and empty column names made unique; 'backup' and sqlite_ names kept apart")
    func oddCases() async throws {
        let root = try makeTemporaryFolder("sqlite-odd")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/t.sqlite"
        var sink = try SQLiteTables(path: path, backup: try Self.backup(root))
        try sink.begin("Leads", header: ["Record Id", "Name", "Name", ""])
        try sink.row(["1001", "Ada", "Lovelace", "x"])
        try sink.row(["zcrm_1002", "Grace", "", "y"])
        try sink.row(["1001", "Ada again", "L.", "z"])
        try sink.row(["1003", "short"])
        try sink.row(["1004", "long", "", "w", "one field too many"])
        try sink.end()
        try sink.begin("Backup", header: ["Record Id", "Amount"])
        try sink.row(["7", "50000.5"])
        try sink.end()
        try sink.begin("sqlite_stat1", header: ["Record Id"])
        try sink.row(["8"])
        try sink.end()
        let notes = try sink.finish()

        let db = try await TableReader.read("sqlite", path)
        #expect(db.order == ["backup", "Leads", "Leads (duplicate ids)", "Backup~2", "_sqlite_stat1"])
        let leads = try #require(db.tables["Leads"])
        #expect(leads.header == ["Record Id", "Name", "Name~2", "Column 4"] && leads.primary_key == ["Record Id"])
        #expect(leads.rows == [["1001", "Ada", "Lovelace", "x"], ["zcrm_1002", "Grace", "", "y"], ["1003", "short", "", ""], ["1004", "long", "", "w"]])
        #expect(leads.nulls == 4, "an empty value and a short row's missing ones are NULL (a blank never compares as text)")
        #expect(leads.types == ["integer", "text"], "numeric ids as integers, zcrm_ ones as text")
        #expect(db.tables["Leads (duplicate ids)"]?.rows == [["1001", "Ada again", "L.", "z"]], "nothing dropped")
        #expect(db.tables["Backup~2"]?.rows == [["7", "50000.5"]])
        #expect(db.tables["backup"]?.rows == [["acme", "4876876000123", "2027-01-15T08:00:00Z", "FREQ=WEEKLY", "Data_001.zip", "10", "ab"]])
        #expect(notes.contains("Leads: 1 row has more fields than the header; the extra fields are not in the table (the CSV restore has them).") && notes.contains("Leads: 1 row has fewer fields than the header; the missing ones are NULL."), "\(notes)")
        #expect(notes.contains("Leads: 1 row repeat an id already in it (1001); they are in \"Leads (duplicate ids)\"."), "\(notes)")
        #expect(notes.contains { $0.contains("column 3 \"Name\" is repeated; it is \"Name~2\"") } && notes.contains { $0.contains("column 4 has no name") })
        #expect(notes.contains { $0.hasPrefix("Module Backup is the table \"Backup~2\"") } && notes.contains { $0.hasPrefix("Module sqlite_stat1 is the table \"_sqlite_stat1\"") })
    }
}
