import BackupArchive
import Foundation
import GRDB
import GRDBSQLite

/// Writes a restore's tables into one SQLite database through GRDB: a table per module (its
/// columns the header's names, quoted; the record id the primary key, an integer where it is
/// one), one transaction per table with one prepared statement, and a `backup` table naming
/// the backup and its parts. Rows whose id is already in the table (Zoho wrote the record
/// twice) go to `"<table> (duplicate ids)"` and are named: nothing is dropped.
struct SQLiteTables: RestoreTableSink {
    private let queue: DatabaseQueue
    private var names = TableNames(reserved: ["backup"])
    private var table = ""
    private var columns = 0
    private var insert: Statement?
    private var duplicates: (table: String, statement: Statement, ids: [String])?
    /// Rows of the current table with more, or fewer, fields than its header.
    private var longer = 0, shorter = 0
    /// What the restore should say about the database (renamed tables or columns, duplicates).
    private(set) var notes: [String] = []

    /// A new database at `path` (a temporary file: no journal, no syncs until the end, when
    /// the caller fsyncs and renames it).
    init(path: String, backup: ArchivedBackup) throws(Restore.Failure) {
        do {
            var configuration = Configuration()
            configuration.journalMode = .default
            // One transaction per table, open across the batches handed to SQLite.
            configuration.allowsUnsafeTransactions = true
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")
            }
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.inDatabase { db in
                try db.execute(sql: "CREATE TABLE backup (org TEXT, job_id TEXT, completed_at TEXT, rule TEXT, part TEXT, bytes INTEGER, sha256 TEXT)")
                let manifest = backup.manifest
                let completed = ISO8601DateFormatter().string(from: manifest.completedAt)
                for part in manifest.files {
                    try db.execute(sql: "INSERT INTO backup VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   arguments: [manifest.org, manifest.jobID, completed, manifest.rrule, part.name, part.size, part.sha256])
                }
            }
        } catch { throw Self.failure(error, path) }
    }

    mutating func begin(_ name: String, header: [String]) throws(Restore.Failure) {
        table = names.name(for: name.lowercased().hasPrefix("sqlite_") ? "_" + name : name)
        (longer, shorter) = (0, 0)
        if table != name { notes.append("Module \(name) is the table \"\(table)\" (SQLite keeps the name \(name.lowercased() == "backup" ? "backup" : "sqlite_…") for itself, or another module took it).") }
        var columnNames = TableNames()
        let quoted = header.enumerated().map { i, column in
            let unique = columnNames.name(for: column.isEmpty ? "Column \(i + 1)" : column)
            if unique != column { notes.append("\(table): column \(i + 1) \(column.isEmpty ? "has no name" : "\"\(column)\" is repeated"); it is \"\(unique)\".") }
            return Self.quote(unique)
        }
        columns = header.count
        let definition = quoted.enumerated().map { $0 == 0 ? "\($1) PRIMARY KEY" : $1 }.joined(separator: ", ")
        let sql = "INSERT INTO \(Self.quote(table)) VALUES (\(Array(repeating: "?", count: columns).joined(separator: ", ")))"
        let created = table
        do {
            insert = try queue.inDatabase { db in
                try db.execute(sql: "CREATE TABLE \(Self.quote(created)) (\(definition))")
                try db.beginTransaction(.immediate)
                return try db.makeStatement(sql: sql)
            }
        } catch { throw Self.failure(error, created) }
    }

    mutating func rows(_ batch: TableBatch) throws(Restore.Failure) {
        guard let insert else { return }
        let (columns, table) = (columns, table)
        var repeated: [[String]] = []
        var (longer, shorter) = (self.longer, self.shorter)
        defer { (self.longer, self.shorter) = (longer, shorter) }
        do {
            try queue.inDatabase { db in
                // The hot loop binds through SQLite's own API on GRDB's prepared statement,
                // straight from the CSV's bytes: no value boxed, no string made per field.
                let statement = insert.sqliteStatement
                defer { sqlite3_clear_bindings(statement) }   // none left pointing into the batch's buffer
                for r in 0..<batch.count {
                    let row = batch[r]
                    if row.count != columns { if row.count > columns { longer += 1 } else { shorter += 1 } }
                    let code = Self.insert(row, columns: columns, with: statement)
                    // GRDB turns on extended codes: SQLITE_CONSTRAINT_PRIMARYKEY, say.
                    if code & 0xFF == SQLITE_CONSTRAINT { repeated.append(row.strings) } else if code != SQLITE_DONE {
                        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                    }
                }
            }
            for row in repeated { try keepDuplicate(row) }
        } catch let failure as Restore.Failure { throw failure } catch { throw Self.failure(error, table) }
    }

    mutating func end() throws(Restore.Failure) {
        let table = table
        do { try queue.inDatabase { db in try db.commit() } } catch { throw Self.failure(error, table) }
        if longer > 0 { notes.append("\(table): \(longer) row\(longer == 1 ? " has" : "s have") more fields than the header; the extra fields are not in the table (the CSV restore has them).") }
        if shorter > 0 { notes.append("\(table): \(shorter) row\(shorter == 1 ? " has" : "s have") fewer fields than the header; the missing ones are NULL.") }
        if let duplicates {
            notes.append("\(table): \(duplicates.ids.count) row\(duplicates.ids.count == 1 ? "" : "s") repeat an id already in it (\(duplicates.ids.prefix(5).joined(separator: ", "))\(duplicates.ids.count > 5 ? ", …" : "")); they are in \"\(duplicates.table)\".")
        }
        (insert, duplicates) = (nil, nil)
    }

    /// Closes the database. - Returns: what the restore should say about it.
    mutating func finish() throws(Restore.Failure) -> [String] {
        do { try queue.close() } catch { throw Self.failure(error, "the database") }
        return notes
    }

    /// Writes a row whose id the table holds already into the table's duplicates table.
    private mutating func keepDuplicate(_ row: [String]) throws {
        if duplicates == nil {
            let name = names.name(for: "\(table) (duplicate ids)")
            let (source, count) = (table, columns)
            let statement = try queue.inDatabase { db in
                try db.execute(sql: "CREATE TABLE \(Self.quote(name)) AS SELECT * FROM \(Self.quote(source)) WHERE 0")
                return try db.makeStatement(sql: "INSERT INTO \(Self.quote(name)) VALUES (\(Array(repeating: "?", count: count).joined(separator: ", ")))")
            }
            duplicates = (name, statement, [])
        }
        guard let statement = duplicates?.statement.sqliteStatement else { return }
        let width = columns
        try TableBatch.with([row]) { batch throws in
            try queue.inDatabase { db in
                defer { sqlite3_clear_bindings(statement) }
                let code = Self.insert(batch[0], columns: width, with: statement)
                guard code == SQLITE_DONE else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                }
            }
        }
        duplicates?.ids.append(row.first ?? "")
    }

    /// Binds `row` to `statement` (as ``bind(_:at:of:)`` does each field), steps and resets it.
    /// - Returns: SQLite's result code (extended codes on).
    static func insert(_ row: TableRow, columns: Int, with statement: SQLiteStatement) -> Int32 {
        for column in 0..<columns { bind(column < row.count ? row[column] : nil, at: column, of: statement) }
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        return code
    }

    /// Binds one field: a number when it reads back as written (see ``CellValue``; every Zoho
    /// id an integer, in its own table and in lookups, so joins match), else text; nil (a short
    /// row's missing field) and an empty field NULL (so `Amount > 50000` never matches a blank:
    /// SQLite ranks text above numbers). A long row is cut to the header (counted in the notes).
    static func bind(_ field: UnsafeRawBufferPointer?, at column: Int, of statement: SQLiteStatement) {
        let index = Int32(column + 1)
        guard let field, !field.isEmpty else { sqlite3_bind_null(statement, index); return }
        switch CellValue.of(bytes: field, digits: 19) {
        case .integer(let number): sqlite3_bind_int64(statement, index, number)
        case .real(let number): sqlite3_bind_double(statement, index, number)
        case .text:
            guard let base = field.baseAddress else { sqlite3_bind_null(statement, index); return }
            // Not copied (no destructor, SQLITE_STATIC): the bytes stay put until the row is stepped.
            sqlite3_bind_text(statement, index, base.assumingMemoryBound(to: CChar.self), Int32(field.count), nil)
        }
    }

    /// `name` as an SQL identifier.
    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func failure(_ error: Error, _ what: String) -> Restore.Failure {
        Restore.Failure(description: "SQLite could not write \(what): \(error); restore stopped (run it again; a full disk is the usual cause)")
    }
}
