import BackupArchive
import Foundation
import RestoreFormats

/// What `restore` did (`--json` prints it as is).
public struct RestoreResult: Sendable, Encodable {
    public var backup: String
    public var job_id: String
    public var to: String
    /// The files written, relative to `to`, with their bytes.
    public var files: [File]
    /// Entries not restored, and why (unsafe names, symbolic links).
    public var skipped: [Skipped]
    /// Chosen records only: the ids restored per module (their rows; notes and attachments beside).
    public var records: [String: Int]?
    /// Chosen records only: ids no module of the backup holds.
    public var not_found: [String]?
    /// Chosen records only: repeated ids (every row restored), rows that did not parse.
    public var problems: [String]?
    /// `csv`, `sqlite` or `xlsx`.
    public var format: String
    /// A database or workbook only: renamed tables or sheets, continued sheets, cut values.
    public var notes: [String]?

    public struct File: Sendable, Encodable {
        public var path: String
        public var bytes: Int64
    }

    public struct Skipped: Sendable, Encodable {
        public var part: String
        public var entry: String
        public var reason: String
    }

    init(_ report: Restore.Report, to: String) {
        backup = report.backup
        job_id = report.jobID
        self.to = to
        files = report.files.map { .init(path: $0.path, bytes: $0.bytes) }
        skipped = report.skipped.map { .init(part: $0.part, entry: $0.entry, reason: $0.reason) }
        format = report.output ?? "csv"
        notes = report.notes
        if report.output != nil { records = report.records }
    }
}

/// A committed backup folder given by path (a copy on a USB disk, say), for `restore`
/// without a policy.
public struct BackupFolder: Sendable {
    let backup: ArchivedBackup

    /// The backup at `path`, or nil when it holds no readable `manifest.json` of this tool.
    public init?(path: String) {
        guard let found = ArchivedBackup(path: (path as NSString).standardizingPath) else { return nil }
        backup = found
    }

    /// Restores it into `dir` (see ``OrgArchive/restore(_:to:modules:force:)``): CSV files, or
    /// one database or workbook (`format`), then with `attachments` the attachment files too.
    public func restore(to dir: String, modules: Set<String>?, force: Bool, format: RestoreFormat = .csv,
                        attachments: Bool = false) throws(RestoreFailure) -> RestoreResult {
        do {
            guard format != .csv else { return RestoreResult(try Restore.run(backup, to: dir, modules: modules, force: force, faults: .fromEnvironment()), to: dir) }
            let report = try format.restore(backup, selection: Restore.TableSelection(modules: modules, attachments: attachments), to: dir, force: force)
            var result = RestoreResult(report, to: dir)
            result.problems = report.problems
            return result
        } catch {
            throw RestoreFailure(description: error.description)
        }
    }
}

/// Why a restore stopped, naming the file and what to do.
public struct RestoreFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension OrgArchive {
    /// Restores `backup` into `dir`: every entry of every part, or only `modules`' CSVs (each
    /// joined into one file); parts checked against their SHA-256 first, entries against their
    /// CRC-32; unsafe entries skipped and reported. Needs no lock: it only reads the archive.
    public func restore(_ backup: BackupSummary, to dir: String, modules: Set<String>?, force: Bool) throws(RestoreFailure) -> RestoreResult {
        try BackupFolder(backup: backup.archived).restore(to: dir, modules: modules, force: force)
    }
}

extension BackupFolder {
    init(backup: ArchivedBackup) { self.backup = backup }
}

extension BackupFolder {
    /// Restores the records `ids` (any module, or only `modules`) with their notes and, with
    /// `attachments`, their files. - Throws: when none of the ids is in the backup.
    public func restore(records ids: [String], modules: Set<String>?, attachments: Bool, to dir: String,
                        force: Bool, format: RestoreFormat = .csv) throws(RestoreFailure) -> RestoreResult {
        let index = try Self.index(backup)
        var chosen: [String: Restore.IDSet] = [:]
        var found = Set<String>()
        for module in index.header.modules where modules.map({ $0.contains(module.name) }) ?? true {
            for id in ids {
                do {
                    guard try RecordLookup.hash(of: id, in: module, index: index) != nil else { continue }
                } catch {
                    throw RestoreFailure(description: error.description)
                }
                chosen[module.name, default: Restore.IDSet()].insert(id)
                found.insert(id)
            }
        }
        guard !found.isEmpty else {
            throw RestoreFailure(description: "none of the \(ids.count) ids is in backup \(backup.name)\(modules.map { " (modules \($0.sorted().joined(separator: ", ")))" } ?? ""); nothing was restored")
        }
        return try run(chosen, attachments: attachments, to: dir, force: force, label: "--records (\(ids.count) ids)",
                       notFound: ids.filter { !found.contains($0) }, format: format)
    }

    /// Restores the records that `newer` no longer holds — `diff OLD NEW --list deleted` — from
    /// this (the older) backup, with their notes and attachments. - Throws: when none was deleted.
    public func restore(deletedBefore newer: BackupFolder, modules: Set<String>?, attachments: Bool, to dir: String,
                        force: Bool, format: RestoreFormat = .csv) throws(RestoreFailure) -> RestoreResult {
        let old = try Self.index(backup), new = try Self.index(newer.backup)
        var chosen: [String: Restore.IDSet] = [:]
        do {
            _ = try IndexDiff.compare(old, new, only: modules) { module, change, id in
                if change == .deleted { chosen[module, default: Restore.IDSet()].insert(id) }
            }
        } catch {
            throw RestoreFailure(description: "comparing \(backup.name) with \(newer.backup.name): \(error)")
        }
        guard !chosen.isEmpty else {
            throw RestoreFailure(description: "no record of \(backup.name) is missing from \(newer.backup.name)\(modules.map { " in \($0.sorted().joined(separator: ", "))" } ?? ""); nothing was restored")
        }
        return try run(chosen, attachments: attachments, to: dir, force: force,
                       label: "--deleted-since: the records of \(backup.name) that \(newer.backup.name) no longer holds", notFound: [], format: format)
    }

    private func run(_ chosen: [String: Restore.IDSet], attachments: Bool, to dir: String, force: Bool, label: String,
                     notFound: [String], format: RestoreFormat) throws(RestoreFailure) -> RestoreResult {
        do {
            let report = format == .csv
                ? try Restore.records(backup, ids: chosen, attachments: attachments, to: dir, force: force, label: label, notFound: notFound)
                : try format.restore(backup, selection: Restore.TableSelection(ids: chosen, attachments: attachments, label: label, notFound: notFound), to: dir, force: force)
            var result = RestoreResult(report, to: dir)
            result.problems = report.problems.flatMap { $0.isEmpty ? nil : $0 }
            result.records = report.records
            result.not_found = notFound
            return result
        } catch {
            throw RestoreFailure(description: error.description)
        }
    }

    static func index(_ backup: ArchivedBackup) throws(RestoreFailure) -> RecordIndex {
        do { return try RecordIndex(path: "\(backup.folder)/\(RecordIndex.fileName)") } catch {
            throw RestoreFailure(description: "\(error.description); build it with `zoho-crm-backup reindex \(backup.name)` (records are found by the index)")
        }
    }
}

extension OrgArchive {
    /// The backup as a folder to restore from.
    public func folder(_ backup: BackupSummary) -> BackupFolder { BackupFolder(backup: backup.archived) }
}
