import Foundation
import Glibc
import ZohoModel

/// Restoring chosen records (`restore --records`, `--deleted-since`): per module, only those
/// rows, with the module's header and BOM, in one `<Module>.csv` ready for Zoho's import
/// wizard; their notes in `Notes.csv`; with attachments, their files under
/// `Attachments/<parent id>/` and `attachments.csv` (the rows of `Attachments_001.csv`).
extension Restore {
    /// Record ids, compared as Zoho ids (`zcrm_` or not).
    public struct IDSet: Sendable, Equatable {
        /// Numeric ids.
        public var numbers: Set<UInt64> = []
        /// Any other id.
        public var others: Set<String> = []

        /// An empty set.
        public init() {}

        /// Adds `id`.
        public mutating func insert(_ id: String) {
            if let number = RowHasher.numericID(Array(id.utf8)) { numbers.insert(number) } else { others.insert(id) }
        }

        /// Whether the field's bytes are one of the ids.
        func contains(_ field: [UInt8]) -> Bool {
            if matchesAll { return true }
            if let number = RowHasher.numericID(field) { return numbers.contains(number) }
            return !others.isEmpty && others.contains(String(decoding: field, as: UTF8.self))
        }

        /// Every id (a whole module, not chosen records).
        public static var everything: IDSet {
            var all = IDSet()
            all.matchesAll = true
            return all
        }
        /// Whether it is ``everything``.
        private(set) var matchesAll = false

        /// Every id of `sets` (the parents whose notes and attachments come along).
        public static func union(_ sets: some Sequence<IDSet>) -> IDSet {
            var all = IDSet()
            for set in sets { all.numbers.formUnion(set.numbers); all.others.formUnion(set.others) }
            return all
        }

        /// How many ids.
        public var count: Int { numbers.count + others.count }
        /// No id.
        public var isEmpty: Bool { numbers.isEmpty && others.isEmpty }
    }

    /// Restores the records `ids` (per module, as its files are named) of `backup` into `dir`,
    /// with their notes and, with `attachments`, their attachments. Checks and safety as
    /// ``run(_:to:modules:force:)``. `label` says in `restore.json` how the ids were chosen.
    public static func records(_ backup: ArchivedBackup, ids: [String: IDSet], attachments: Bool, to dir: String,
                               force: Bool, label: String, notFound: [String] = []) throws(Failure) -> Report {
        let target = (dir as NSString).standardizingPath
        var report = Report(backup: backup.name, jobID: backup.manifest.jobID, modules: ids.keys.sorted(), files: [], skipped: [], complete: false)
        report.selection = label
        report.notFound = notFound.isEmpty ? nil : notFound
        _ = try prepare(target, for: report, force: force)
        try verifyParts(backup)
        let index: RecordIndex
        do { index = try RecordIndex(path: "\(backup.folder)/\(RecordIndex.fileName)") } catch {
            throw Failure(description: "\(error.description); build it with `zoho-crm-backup reindex` (records are found by the index)")
        }
        try write(report, to: target)
        let scratch = "\(target)/.restore-partial"
        try? FileManager.default.removeItem(atPath: scratch)
        try makeFolder(scratch)
        let parents = IDSet.union(ids.values)
        var counts: [String: Int] = [:]
        for (name, set) in ids.sorted(by: { $0.key < $1.key }) where !set.isEmpty {
            guard let module = index.module(name) else { continue }
            counts[name] = try filtered(module, of: backup, to: "\(target)/\(name).csv", scratch: scratch, keep: .column(nil, set), report: &report)
        }
        if let notes = index.module("Notes"), notes.header.contains("Parent.id") {
            let name = ids["Notes"] == nil ? "Notes.csv" : "Notes_of_records.csv"
            // Notes restored as records themselves are not written twice.
            counts["Notes (of these records)"] = try filtered(notes, of: backup, to: "\(target)/\(name)", scratch: scratch,
                                                              keep: .column("Parent.id", parents, except: ids["Notes"] ?? IDSet()), report: &report)
        }
        if attachments, let list = index.module("Attachments"), list.header.contains("Parent.id") {
            var files: [String: String] = [:]   // attachment id → parent id
            counts["Attachments (of these records)"] = try filtered(list, of: backup, to: "\(target)/attachments.csv", scratch: scratch,
                                                                    keep: .column("Parent.id", parents), report: &report) { row, header in
                if let parent = header.firstIndex(of: "Parent.id"), parent < row.count, let first = row.first { files[first] = row[parent] }
            }
            try attachmentFiles(files, of: backup, into: target, scratch: scratch, report: &report)
        }
        report.records = counts
        try? FileManager.default.removeItem(atPath: scratch)
        report.complete = true
        try write(report, to: target)
        try? AtomicFile.write(Data(readme(report, backup: backup).utf8), to: "\(target)/RESTORE.md")
        return report
    }

    /// Which rows a filtered file keeps: those whose value in the column (nil: the first) is
    /// one of the ids, and whose own id (the first column) is not in `except`.
    enum Keep {
        case column(String?, IDSet, except: IDSet = IDSet())
        /// Every row.
        static let all = Keep.column(nil, IDSet.everything)
    }

    /// Writes the rows of `module` (all its files, in order) that `keep` selects, under the
    /// module's header and a BOM, to `path`. - Returns: the rows written.
    static func filtered(_ module: RecordIndexHeader.Module, of backup: ArchivedBackup, to path: String, scratch: String, keep: Keep,
                         report: inout Report, each: ([String], [String]) -> Void = { _, _ in }) throws(Failure) -> Int {
        // Streamed to a temporary file (never held in memory), fsync'd and renamed.
        let temp = "\(scratch)/\(UUID().uuidString)"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temp): \(String(cString: strerror(errno)))") }
        var written: Int64 = 0, writeError: Int32 = 0
        func put(_ text: String) {
            guard writeError == 0 else { return }
            var bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { writeError = errno; return }
                offset += n
            }
            written += Int64(bytes.count)
            bytes.removeAll()
        }
        put("\u{FEFF}")
        let rows: Int
        do {
            rows = try self.rows(of: module, backup: backup, keep: keep, report: &report) { (header: [String]) throws(Failure) in
                put(Self.csvLine(header))
            } row: { (row: [String], header: [String]) throws(Failure) in
                put(Self.csvLine(row))
                each(row, header)
            }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard writeError == 0, synced, rename(temp, path) == 0 else {
            let code = writeError != 0 ? writeError : errno
            unlink(temp)
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(code))); restore stopped (run it again)")
        }
        report.files.append(.init(path: (path as NSString).lastPathComponent, from: module.files.map { "\($0.part):\($0.name)" }, bytes: written))
        return rows
    }

    /// Reads the rows of `module` (all its files, in order) that `keep` selects: `header` once
    /// (the module's first file's), then `row` for each. Problems found go to the report.
    /// - Returns: the rows passed on.
    static func rows(of module: RecordIndexHeader.Module, backup: ArchivedBackup, keep: Keep, report: inout Report,
                     header: ([String]) throws(Failure) -> Void, row: ([String], [String]) throws(Failure) -> Void) throws(Failure) -> Int {
        guard case .column(let column, let ids, let except) = keep else { return 0 }
        var headerPassed = false
        var rows = 0
        var failed: Failure?
        func drain(_ sink: inout RowFilter) {
            defer { sink.kept.removeAll() }
            guard failed == nil else { return }
            do {
                if !headerPassed, !sink.header.isEmpty {
                    try header(sink.header)
                    headerPassed = true
                }
                for fields in sink.kept {
                    try row(fields, sink.header)
                    rows += 1
                }
            } catch { failed = error }
        }
        for file in module.files {
            var sink = RowFilter(column: column, ids: ids, except: except)
            var reader = CSVReader()
            do {
                try RecordLookup.inflate(entry: file.name, part: "\(backup.folder)/\(file.part)") { bytes in
                    guard failed == nil else { return }
                    reader.feed(bytes, into: &sink)
                    drain(&sink)
                }
            } catch {
                throw Failure(description: "\(error.description); restore stopped (run it again)")
            }
            reader.finish(into: &sink)
            drain(&sink)
            if let failed { throw failed }
            report.problems = (report.problems ?? []) + reader.problems.map { "\(file.part):\(file.name): \($0)" }
                + sink.repeated.sorted().map { "\(file.part):\(file.name): id \($0) is in more than one row; every one is restored" }
        }
        return rows
    }

    /// Extracts the attachment files named `Attachments/<attachment id>_<name>` whose ids are
    /// keys of `files`, to `Attachments/<parent id>/<attachment id>_<name>`.
    /// - Returns: each restored file's path in `dir`, by attachment id.
    @discardableResult
    static func attachmentFiles(_ files: [String: String], of backup: ArchivedBackup, into dir: String, scratch: String,
                                report: inout Report) throws(Failure) -> [String: String] {
        var paths: [String: String] = [:]
        guard !files.isEmpty else { return paths }
        for part in backup.manifest.files where part.name.hasPrefix("Attachments_") {
            let path = "\(backup.folder)/\(part.name)"
            let entries: [ZipEntry]
            do { entries = try Self.entries(path) } catch { throw Failure(description: "\(path): \(error)") }
            for entry in entries where entry.name.hasPrefix("Attachments/") {
                let base = String(entry.name.dropFirst("Attachments/".count))
                guard let id = base.split(separator: "_", maxSplits: 1).first.map(String.init), let parent = files[id] else { continue }
                if let reason = unsafe(entry) ?? (base.contains("/") || parent.contains("/") || parent.hasPrefix(".") ? "an unsafe name" : nil) {
                    report.skipped.append(.init(part: part.name, entry: entry.name, reason: reason))
                    continue
                }
                let planned = Planned(path: "Attachments/\(parent)/\(base)", sources: [(part.name, entry)])
                try extract(planned, backup: backup, into: dir, scratch: scratch)
                report.files.append(.init(path: planned.path, from: ["\(part.name):\(entry.name)"], bytes: entry.uncompressedSize))
                paths[id] = planned.path
            }
        }
        return paths
    }

    /// One CSV row as RFC 4180 writes it: a field with a comma, quote or line break quoted,
    /// its quotes doubled; LF at the end.
    static func csvLine(_ fields: [String]) -> String {
        // Tested and doubled byte by byte: a comma or quote followed by a combining mark is one
        // Character to Swift, but two bytes to every CSV reader.
        fields.map { field in
            guard field.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return field }
            var bytes: [UInt8] = [0x22]
            for byte in field.utf8 {
                bytes.append(byte)
                if byte == 0x22 { bytes.append(0x22) }
            }
            bytes.append(0x22)
            return String(decoding: bytes, as: UTF8.self)
        }.joined(separator: ",") + "\n"
    }
}
