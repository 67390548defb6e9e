import Foundation
import Glibc
import ZohoModel

extension Restore {
    /// Makes `path` (and its parents), 0700.
    public static func makeFolder(_ path: String) throws(Failure) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
            throw Failure(description: "cannot create \(path): \(error.localizedDescription)") }
    }

    /// Writes `report` as `restore.json` in `dir`.
    public static func write(_ report: Report, to dir: String) throws(Failure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { try AtomicFile.write(try encoder.encode(report), to: "\(dir)/\(reportName)") } catch {
            throw Failure(description: "cannot write \(dir)/\(reportName): \(error)")
        }
    }

    /// Every entry of the zip at `path`, from its central directory.
    static func entries(_ path: String) throws -> [ZipEntry] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(description: "cannot stat") }
        var reader = try ZipDirectory.locate(fd: fd, fileSize: Int64(info.st_size)).entries(fd: fd)
        var all: [ZipEntry] = []
        while let entry = try reader.next() { all.append(entry) }
        return all
    }

    /// Refuses to join a module's files whose headers differ (rows would land under the wrong
    /// columns), as the backup's index records them; without a usable index, nothing to compare.
    static func sameHeaders(_ backup: ArchivedBackup, modules: Set<String>) throws(Failure) {
        guard let index = try? RecordIndex(path: "\(backup.folder)/\(RecordIndex.fileName)") else { return }
        for name in modules.sorted() {
            guard let module = index.module(name), let first = module.files.first else { continue }
            if let other = module.files.first(where: { $0.header != first.header }) {
                throw Failure(description: "\(name)'s files have different headers (\(first.name) and \(other.name)): they cannot be joined into one CSV; restore without --module to get each file as it is")
            }
        }
    }

    /// Whether every folder of `relative` below `dir` that exists is a real folder (no symbolic
    /// link on the way): only then may a file there be removed.
    static func realFolders(_ dir: String, for relative: String) -> Bool {
        var path = dir
        for piece in relative.split(separator: "/").dropLast() {
            path += "/\(piece)"
            var info = stat()
            if lstat(path, &info) != 0 { return true }   // missing: nothing below it to remove
            if (info.st_mode & S_IFMT) != S_IFDIR { return false }
        }
        return true
    }

    /// Makes (0700) the folders of `relative` below `dir`, refusing any that is a symbolic
    /// link or not a folder: nothing is written outside `dir`, even through a link already there.
    static func safeFolders(_ dir: String, for relative: String) throws(Failure) {
        var path = dir
        for piece in relative.split(separator: "/").dropLast() {
            path += "/\(piece)"
            var info = stat()
            if lstat(path, &info) != 0 {
                guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
                    throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))")
                }
                continue
            }
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw Failure(description: "\(path) is a symbolic link or a file, not a folder: the restore does not write through it (restore into a new folder)")
            }
        }
    }
    /// Why an entry is not restored, or nil.
    static func unsafe(_ entry: ZipEntry) -> String? {
        let name = entry.name
        let pieces = name.split(separator: "/", omittingEmptySubsequences: false)
        if entry.isSymlink { return "a symbolic link: never made" }
        if name.hasPrefix("/") { return "an absolute path: it would be written outside the folder" }
        if pieces.contains("..") { return "a '..' in its path: it would be written outside the folder" }
        if name.contains("\0") || name.contains("\\") { return "a NUL or backslash in its name" }
        if name.count >= 2, name.dropFirst().first == ":", name.first?.isLetter == true { return "a drive letter" }
        if pieces.contains(where: { $0.isEmpty || $0 == "." }) { return "an empty or '.' part in its path" }
        if name == reportName || name == "RESTORE.md" || pieces.first == ".restore-partial" { return "the name of the restore's own files" }
        return nil
    }

    /// Refuses to start when `dir`'s file system has less than `bytes` (and 64 MiB) free.
    static func checkSpace(_ dir: String, needs bytes: Int64) throws(Failure) {
        var fs = statvfs()
        guard statvfs(dir, &fs) == 0 else { return }
        let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        guard free > bytes + (64 << 20) else {
            throw Failure(description: "\(dir) has \(ByteSize(bytes: free)) free; the restore needs \(ByteSize(bytes: bytes)) (and 64 MiB to spare): free space or restore elsewhere")
        }
    }

    /// `RESTORE.md`: what was restored from which backup, and how it goes back into Zoho.
    static func readme(_ report: Report, backup: ArchivedBackup) -> String {
        var lines = ["# Restored from backup \(report.backup)", "",
                     "Zoho job \(report.jobID), completed \(ISO8601DateFormatter().string(from: backup.manifest.completedAt)); every part's SHA-256 matched its manifest and every file below its CRC-32.", ""]
        if let output = report.output { return tablesReadme(report, output: output, lines: lines) }
        if let selection = report.selection {
            lines.append("Only chosen records: \(selection). Each module's rows are in `<Module>.csv` under the module's own header (UTF-8 with a BOM), ready for Zoho's import wizard; their notes and attachments beside them.")
            lines += [""] + (report.records ?? [:]).sorted { $0.key < $1.key }.map { "- \($0.key): \($0.value) rows" }
            if let missing = report.notFound, !missing.isEmpty { lines += ["", "Not found in this backup: \(missing.joined(separator: ", "))"] }
        } else {
        lines.append(report.modules.map { "Modules: \($0.joined(separator: ", ")) (each module's CSV files joined into one `<Module>.csv`, one header, the BOM kept)." } ?? "Everything the backup holds, under Zoho's own paths (`Data/…`, `Attachments/…`).")
        }
        lines += ["", "| file | bytes | from |", "|---|---|---|"]
        lines += report.files.map { "| \($0.path) | \($0.bytes) | \($0.from.joined(separator: ", ")) |" }
        if !report.skipped.isEmpty {
            lines += ["", "Not restored:"] + report.skipped.map { "- \($0.part): \($0.entry.debugDescription) — \($0.reason)" }
        }
        lines += ["", "## Importing into Zoho CRM", "",
                  "1. In Zoho CRM open the module, then Import (Setup → Data Administration → Import, or the module's ⋯ menu → Import).",
                  "2. Choose the module's CSV file from this folder; Zoho reads the header row as field names (UTF-8 with a BOM).",
                  "3. Choose \"Add as new records\" for records that were deleted, or \"Update existing records\" (matched by the Record Id) for records that were changed; skip or overwrite as the wizard asks.",
                  "4. Map the fields (Zoho proposes the mapping by name), then import. Records imported as new get new ids: lookups in other records that pointed at the old ids must be mapped again.",
                  "", "Attachments are the files under `Attachments/`, named `<attachment id>_<file name>`; `Data/Attachments_001.csv` says which record each belongs to (`Parent.id`)."]
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Restore {
    /// `RESTORE.md` of a database or workbook: what it holds and how to open it.
    static func tablesReadme(_ report: Report, output: String, lines start: [String]) -> String {
        let file = report.files.first?.path ?? ""
        var lines = start
        lines.append(output == "sqlite"
            ? "One SQLite database, `\(file)`: a table per module, named as the module's files are, its columns named as the header (quote them: `\"Deal Name\"`); the first column, the record id, is the primary key. A value written as a plain number is stored as a number, any other exactly as in the backup's CSV, as text. The table `backup` says which backup and parts it came from."
            : "One workbook, `\(file)`: after the \"About\" sheet, a sheet per module, its first row the header. A value written as a plain number (at most 15 digits) is a number; any other is text exactly as in the backup's CSV.")
        if let selection = report.selection { lines += ["", "Only chosen records: \(selection) (and their notes\(report.files.contains { $0.path.hasPrefix("Attachments/") } ? " and attachments" : ""))."] }
        lines += [""] + (report.records ?? [:]).sorted { $0.key < $1.key }.map { "- \($0.key): \($0.value) rows" }
        if let notes = report.notes, !notes.isEmpty { lines += ["", "What to know about it:"] + notes.map { "- \($0)" } }
        if let missing = report.notFound, !missing.isEmpty { lines += ["", "Not found in this backup: \(missing.joined(separator: ", "))"] }
        lines += ["", "| file | bytes |", "|---|---|"] + report.files.map { "| \($0.path) | \($0.bytes) |" }
        if !report.skipped.isEmpty { lines += ["", "Not restored:"] + report.skipped.map { "- \($0.part): \($0.entry.debugDescription) — \($0.reason)" } }
        lines += ["", "## Opening it", ""]
        lines += output == "sqlite"
            ? ["`sqlite3 \(file)`, then for instance:", "", "    .tables", "    SELECT \"Deal Name\", Amount, Stage FROM Deals WHERE Amount > 50000 AND Stage NOT LIKE 'Closed%';", "",
               "Any SQLite tool opens it (DB Browser for SQLite, Python's sqlite3, DBeaver). To put records back into Zoho, restore them as CSV (without --format) and use Zoho's import wizard."]
            : ["Open `\(file)` in Excel, LibreOffice Calc or Google Sheets. To put records back into Zoho, restore them as CSV (without --format) and use Zoho's import wizard."]
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Drops a CSV file's byte-order mark and header row (the first row ends at the first line
/// break outside quotes), passing the rest on unchanged; inactive, passes everything.
struct HeaderSkipper {
    private var skipping: Bool
    private var inQuotes = false
    private var bom = 0
    private var afterCR = false

    init(active: Bool) { skipping = active }

    mutating func pass(_ bytes: UnsafeRawBufferPointer, to emit: (UnsafeRawBufferPointer) -> Void) {
        guard skipping else { return emit(bytes) }
        var i = 0
        while i < bytes.count, skipping {
            let b = bytes[i]
            if bom < 3, b == [0xEF, 0xBB, 0xBF][bom] { bom += 1; i += 1; continue }
            bom = 3
            if afterCR {
                afterCR = false
                skipping = false
                if b == 0x0A { i += 1 }
                break
            }
            if b == 0x22 { inQuotes.toggle() } else if !inQuotes, b == 0x0A { skipping = false; i += 1; break } else if !inQuotes, b == 0x0D { afterCR = true }
            i += 1
        }
        if !skipping, i < bytes.count { emit(UnsafeRawBufferPointer(rebasing: bytes[i...])) }
    }
}
