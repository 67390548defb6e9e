import Foundation
import Glibc
import ZohoModel

/// What a restore into one database or workbook writes into (`restore --format sqlite|xlsx`):
/// tables of rows, one after the other, each row strictly after the one before.
public protocol RestoreTableSink {
    /// A table begins: its name (the module's, as its files are named) and its header.
    mutating func begin(_ name: String, header: [String]) throws(Restore.Failure)
    /// Rows of the table begun last, in order (fields in the header's order; the first is the id).
    mutating func rows(_ batch: TableBatch) throws(Restore.Failure)
    /// The table begun last is complete.
    mutating func end() throws(Restore.Failure)
}

extension RestoreTableSink {
    /// One row, given as strings.
    public mutating func row(_ fields: [String]) throws(Restore.Failure) {
        try TableBatch.with([fields]) { (batch: TableBatch) throws(Restore.Failure) in try rows(batch) }
    }
}

extension Restore {
    /// Which rows a restore into a database or workbook writes: every row of some modules, or
    /// chosen records with their notes (and attachments), as the CSV restore chooses them.
    public struct TableSelection: Sendable {
        /// Whole modules (nil: every module of the backup); ignored when ``ids`` is set.
        public var modules: Set<String>?
        /// Chosen records per module (`--records`, `--deleted-since`).
        public var ids: [String: IDSet]?
        /// The attachment files too, under `Attachments/<parent id>/`; the Attachments table
        /// gains a ``Restore/filePathColumn`` column with each file's path.
        public var attachments: Bool
        /// How the records were chosen, for `restore.json`.
        public var label: String?
        /// Ids asked for that the backup does not hold.
        public var notFound: [String]

        /// A selection; with no argument, everything.
        public init(modules: Set<String>? = nil, ids: [String: IDSet]? = nil, attachments: Bool = false, label: String? = nil, notFound: [String] = []) {
            (self.modules, self.ids, self.attachments, self.label, self.notFound) = (modules, ids, attachments, label, notFound)
        }
    }

    /// The column the Attachments table gains when the files are restored: each one's path.
    public static let filePathColumn = "File Path"

    /// One table to write: its name, the module its rows come from, and which rows (a table
    /// may take rows twice: notes chosen as records, then the notes of the records chosen).
    struct TablePlan {
        var name: String
        var module: RecordIndexHeader.Module
        var keeps: [Keep]
    }

    /// Restores `selection` of `backup` into one file `dir/file` (a database, a workbook):
    /// `makeSink` opens it at a temporary path, the chosen rows are streamed into it table by
    /// table, `finish` completes it (returning what `restore.json` and `RESTORE.md` should say
    /// about it); it is then fsync'd and renamed. Checks and safety as ``run(_:to:modules:force:faults:)``.
    public static func tables<Sink: RestoreTableSink>(
        _ backup: ArchivedBackup, selection: TableSelection, to dir: String, force: Bool, output: String, file: String,
        makeSink: (_ path: String, _ scratch: String) throws(Failure) -> Sink, finish: (inout Sink) throws(Failure) -> [String]
    ) throws(Failure) -> Report {
        let target = (dir as NSString).standardizingPath
        var report = Report(backup: backup.name, jobID: backup.manifest.jobID, modules: (selection.ids.map { Set($0.keys) } ?? selection.modules).map { $0.sorted() },
                            files: [], skipped: [], complete: false)
        (report.selection, report.output) = (selection.label, output)
        report.notFound = selection.notFound.isEmpty ? nil : selection.notFound
        _ = try prepare(target, for: report, force: force)
        try verifyParts(backup)
        let index: RecordIndex
        do { index = try RecordIndex(path: "\(backup.folder)/\(RecordIndex.fileName)") } catch {
            throw Failure(description: "\(error.description); build it with `zoho-crm-backup reindex` (a database or workbook is made from the indexed modules)")
        }
        let plans = try tablePlans(index, selection: selection, backup: backup)
        try checkSpace(target, needs: plans.reduce(selection.attachments ? index.header.attachments.bytes : 0) { sum, plan in sum + Int64(plan.module.records) * 512 })
        try write(report, to: target)
        let scratch = "\(target)/.restore-partial"
        try? FileManager.default.removeItem(atPath: scratch)
        try makeFolder(scratch)
        var paths: [String: String] = [:]
        if selection.attachments, let list = plans.first(where: { $0.module.name == "Attachments" }) {
            var files: [String: String] = [:]   // attachment id → parent id
            for keep in list.keeps {
                _ = try rows(of: list.module, backup: backup, keep: keep, report: &report) { (_: [String]) throws(Failure) in } row: { (row: [String], header: [String]) throws(Failure) in
                    if let parent = header.firstIndex(of: "Parent.id"), parent < row.count, let first = row.first { files[first] = row[parent] }
                }
            }
            paths = try attachmentFiles(files, of: backup, into: target, scratch: scratch, report: &report)
        }
        let temp = "\(scratch)/\(UUID().uuidString)-\(file)"
        var committed = false
        defer { if !committed { unlink(temp) } }   // a failed restore leaves no half-written file taking space
        var sink = try makeSink(temp, scratch)
        var counts: [String: Int] = [:]
        for plan in plans {
            let withPaths = selection.attachments && plan.module.name == "Attachments"
            try sink.begin(plan.name, header: plan.module.header + (withPaths ? [filePathColumn] : []))
            for keep in plan.keeps {
                counts[plan.name, default: 0] += try tableRows(of: plan.module, backup: backup, keep: keep, whole: !withPaths, report: &report,
                                                               extra: withPaths ? { paths[$0] ?? "" } : nil) { (batch: TableBatch) throws(Failure) in
                    try sink.rows(batch)
                }
            }
            try sink.end()
        }
        report.notes = try finish(&sink)
        try commit(temp, as: "\(target)/\(file)")
        committed = true
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: "\(target)/\(file)"))?[.size] as? NSNumber)?.int64Value ?? 0
        report.files.insert(.init(path: file, from: plans.flatMap { $0.module.files.map { "\($0.part):\($0.name)" } }, bytes: bytes), at: 0)
        report.records = counts
        if report.problems?.isEmpty == true { report.problems = nil }
        try? FileManager.default.removeItem(atPath: scratch)
        report.complete = true
        try write(report, to: target)
        try? AtomicFile.write(Data(readme(report, backup: backup).utf8), to: "\(target)/RESTORE.md")
        return report
    }

    /// Reads the rows of `module` that `keep` selects, in batches: a whole module (`whole`)
    /// straight from the CSV reader into flat buffers (no string per field), chosen rows as
    /// ``rows(of:backup:keep:report:header:row:)`` reads them, with `extra` (given the id)
    /// added as a last field. - Returns: the rows passed on.
    static func tableRows(of module: RecordIndexHeader.Module, backup: ArchivedBackup, keep: Keep, whole: Bool, report: inout Report,
                          extra: ((String) -> String)? = nil, _ body: (TableBatch) throws(Failure) -> Void) throws(Failure) -> Int {
        guard whole, case .column(nil, let ids, let except) = keep, ids.matchesAll, except.isEmpty else {
            var pending: [[String]] = []
            let count = try rows(of: module, backup: backup, keep: keep, report: &report) { (_: [String]) throws(Failure) in
            } row: { (fields: [String], _: [String]) throws(Failure) in
                // The extra field under its own column: the row fitted to the header first.
                let width = module.header.count
                pending.append(extra.map { Array(fields.prefix(width)) + Array(repeating: "", count: max(0, width - fields.count)) + [$0(fields.first ?? "")] } ?? fields)
                if pending.count >= 1_000 {
                    try TableBatch.with(pending, body)
                    pending.removeAll(keepingCapacity: true)
                }
            }
            try TableBatch.with(pending, body)
            return count
        }
        var count = 0
        for file in module.files {
            var sink = FlatRowSink()
            var reader = CSVReader()
            var failed: Failure?
            func drain() {
                guard failed == nil, !sink.rows.rowEnds.isEmpty else { return }
                count += sink.rows.rowEnds.count
                do { try sink.rows.withBatch(body) } catch { failed = error }
                sink.rows.dropCompleteRows()
            }
            do {
                try RecordLookup.inflate(entry: file.name, part: "\(backup.folder)/\(file.part)") { bytes in
                    guard failed == nil else { return }
                    reader.feed(bytes, into: &sink)
                    drain()
                }
            } catch {
                throw Failure(description: "\(error.description); restore stopped (run it again)")
            }
            reader.finish(into: &sink)
            drain()
            if let failed { throw failed }
            if !reader.problems.isEmpty { report.problems = (report.problems ?? []) + reader.problems.map { "\(file.part):\(file.name): \($0)" } }
        }
        return count
    }

    /// The tables to write, in order: whole modules (by name), or the chosen records' modules,
    /// then Notes (the chosen records' notes) and, with attachments, Attachments.
    static func tablePlans(_ index: RecordIndex, selection: TableSelection, backup: ArchivedBackup) throws(Failure) -> [TablePlan] {
        guard let ids = selection.ids else {
            let modules = index.header.modules.filter { selection.modules?.contains($0.name) ?? true }
            if let wanted = selection.modules {
                let missing = wanted.subtracting(modules.map(\.name))
                guard missing.isEmpty else {
                    throw Failure(description: "backup \(backup.name) has no module \(missing.sorted().joined(separator: ", ")) (`zoho-crm-backup inspect \(backup.name)` lists them); nothing was restored")
                }
            }
            return modules.sorted { $0.name < $1.name }.map { TablePlan(name: $0.name, module: $0, keeps: [.all]) }
        }
        var plans: [TablePlan] = []
        let parents = IDSet.union(ids.values)
        for (name, set) in ids.sorted(by: { $0.key < $1.key }) where !set.isEmpty {
            guard let module = index.module(name) else { continue }
            plans.append(TablePlan(name: name, module: module, keeps: [.column(nil, set)]))
        }
        func add(_ name: String, _ keep: Keep) {
            guard let module = index.module(name), module.header.contains("Parent.id") else { return }
            if let i = plans.firstIndex(where: { $0.name == name }) { plans[i].keeps.append(keep) } else {
                plans.append(TablePlan(name: name, module: module, keeps: [keep]))
            }
        }
        add("Notes", .column("Parent.id", parents, except: ids["Notes"] ?? IDSet()))
        if selection.attachments { add("Attachments", .column("Parent.id", parents, except: ids["Attachments"] ?? IDSet())) }
        return plans
    }

    /// fsyncs the file at `temp` and renames it to `final`.
    static func commit(_ temp: String, as final: String) throws(Failure) {
        let fd = open(temp, O_RDONLY | O_CLOEXEC)
        let synced = fd >= 0 && fsync(fd) == 0
        if fd >= 0 { close(fd) }
        guard synced, rename(temp, final) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw Failure(description: "cannot write \(final): \(reason); restore stopped (run it again)")
        }
    }
}
