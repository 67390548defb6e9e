import BackupArchive
import Foundation

/// What `restore --format` writes: CSV files for Zoho's import wizard (BackupArchive's
/// ``Restore``), or one file for people — an SQLite database to query, a workbook to open.
public enum RestoreFormat: String, Sendable, CaseIterable {
    case csv, sqlite, xlsx

    /// Excel's rows per sheet, the header's included.
    public static let excelRows = 1_048_576

    /// The file a database or workbook restore writes in its folder: `<backup folder>.sqlite`.
    public func fileName(_ backup: ArchivedBackup) -> String { "\(backup.manifest.org)-\(backup.name).\(rawValue)" }

    /// Restores `selection` of `backup` into one database or workbook in `dir` (not for
    /// ``csv``). `rowLimit` is Excel's rows per sheet (smaller in tests).
    public func restore(_ backup: ArchivedBackup, selection: Restore.TableSelection, to dir: String, force: Bool,
                        rowLimit: Int = RestoreFormat.excelRows) throws(Restore.Failure) -> Restore.Report {
        switch self {
        case .csv:
            throw Restore.Failure(description: "a CSV restore is BackupArchive's Restore.run or Restore.records")
        case .sqlite:
            return try Restore.tables(backup, selection: selection, to: dir, force: force, output: rawValue, file: fileName(backup)) { (path: String, _: String) throws(Restore.Failure) in
                try SQLiteTables(path: path, backup: backup)
            } finish: { (sink: inout SQLiteTables) throws(Restore.Failure) in
                try sink.finish()
            }
        case .xlsx:
            return try Restore.tables(backup, selection: selection, to: dir, force: force, output: rawValue, file: fileName(backup)) { (path: String, scratch: String) throws(Restore.Failure) in
                try XLSXTables(path: path, scratch: scratch, rowLimit: rowLimit)
            } finish: { (sink: inout XLSXTables) throws(Restore.Failure) in
                try sink.finish(about: [["Backup", backup.name], ["Org", backup.manifest.org], ["Zoho job", backup.manifest.jobID],
                                         ["Completed", ISO8601DateFormatter().string(from: backup.manifest.completedAt)]])
            }
        }
    }
}
