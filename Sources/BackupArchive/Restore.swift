import Crypto
import Foundation
import Glibc
import ZohoModel

/// Restoring a backup's files into a folder (`restore BACKUP --to DIR`): every entry of every
/// part under Zoho's own paths, or only some modules' CSVs, each module joined into one
/// `<Module>.csv` (one header, the BOM kept) when Zoho split it over files or parts.
///
/// Safe by construction: the parts' SHA-256 are checked against the manifest before anything
/// is written; every entry extracted is checked against its CRC-32; an entry named with `..`,
/// a leading `/`, a drive letter, a backslash or a NUL, or a symbolic link, is skipped and
/// reported (nothing is ever written outside the folder); each file is written under a
/// temporary name in `.restore-partial/`, fsync'd and renamed, files 0600 and folders 0700
/// (restored files hold personal data). `restore.json` records what is restored; a restore
/// killed and run again with the same backup and modules resumes (a file under its final name
/// is complete).
public enum Restore {
    /// What a restore did, `restore.json` in the folder.
    public struct Report: Codable, Sendable, Equatable {
        /// The file's format.
        public var format = 1
        /// The backup's folder name.
        public var backup: String
        /// The backup's Zoho job.
        public var jobID: String
        /// The modules asked for; nil: everything.
        public var modules: [String]?
        /// Every file written (paths relative to the folder), with what it came from.
        public var files: [File]
        /// Entries not restored, and why.
        public var skipped: [Skipped]
        /// Every file is in place.
        public var complete: Bool
        /// Chosen records only: how they were chosen (`--deleted-since …`, `--records …`).
        public var selection: String?
        /// Chosen records only: rows written per module (and of their notes and attachments).
        public var records: [String: Int]?
        /// Chosen records only: ids asked for that no module of the backup holds.
        public var notFound: [String]?
        /// Chosen records only: what was odd in the rows read — an id found in more than one
        /// row (every such row is restored), a row that did not parse (with file and line).
        public var problems: [String]?
        /// The output's format: nil for CSV files, `sqlite` or `xlsx` for one database or workbook.
        public var output: String?
        /// A database or workbook only: what it holds, in its terms (a table or sheet per
        /// module, sheet names shortened, values cut, sheets continued), one line each.
        public var notes: [String]?

        /// A file written.
        public struct File: Codable, Sendable, Equatable {
            /// Where it is, relative to the folder.
            public var path: String
            /// `part:entry` of each entry it holds.
            public var from: [String]
            /// Its size.
            public var bytes: Int64
        }

        /// An entry not restored.
        public struct Skipped: Codable, Sendable, Equatable {
            /// The part it is in.
            public var part: String
            /// Its name in the zip.
            public var entry: String
            /// Why it is not restored.
            public var reason: String
        }
    }

    /// Why a restore stopped, naming the file and what to do.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What went wrong, naming the file, and what to do.
        public var description: String

        /// A failure saying `description`.
        public init(description: String) { self.description = description }
    }

    /// The name of the record of a restore in its folder.
    public static let reportName = "restore.json"

    /// Restores `backup` (a committed backup folder) into `dir`; `modules` limits it to those
    /// modules' CSVs. `dir` must be new or empty, or hold an unfinished restore of the same
    /// backup and modules (resumed), unless `force`.
    public static func run(_ backup: ArchivedBackup, to dir: String, modules: Set<String>?, force: Bool,
                           faults: FaultPoints = .none) throws(Failure) -> Report {
        let target = (dir as NSString).standardizingPath
        var report = Report(backup: backup.name, jobID: backup.manifest.jobID, modules: modules.map { $0.sorted() }, files: [], skipped: [], complete: false)
        let resuming = try prepare(target, for: report, force: force)
        try verifyParts(backup)
        let plan = try plan(backup, modules: modules, skipped: &report.skipped)
        if let modules {
            let missing = modules.subtracting(plan.map { String($0.path.dropLast(".csv".count)) })
            guard missing.isEmpty else {
                throw Failure(description: "backup \(backup.name) has no CSV of module \(missing.sorted().joined(separator: ", ")) (modules are named as their files: `zoho-crm-backup inspect \(backup.name)` lists them); nothing was restored")
            }
            try sameHeaders(backup, modules: modules)
        }
        report.files = plan.map { .init(path: $0.path, from: $0.sources.map { "\($0.part):\($0.entry.name)" }, bytes: $0.sources.reduce(0) { $0 + $1.entry.uncompressedSize }) }
        if !resuming {
            // Written over (--force): what a killed run leaves must never pass for this restore's files.
            for file in plan where realFolders(target, for: file.path) { unlink("\(target)/\(file.path)") }
        }
        let pending = plan.filter { !(resuming && FileManager.default.fileExists(atPath: "\(target)/\($0.path)")) }
        try checkSpace(target, needs: pending.reduce(0) { $0 + $1.sources.reduce(0) { $0 + $1.entry.uncompressedSize } })
        try write(report, to: target)
        let scratch = "\(target)/.restore-partial"
        try? FileManager.default.removeItem(atPath: scratch)
        try makeFolder(scratch)
        for file in pending { try extract(file, backup: backup, into: target, scratch: scratch, faults: faults) }
        try? FileManager.default.removeItem(atPath: scratch)
        report.complete = true
        try write(report, to: target)
        try? AtomicFile.write(Data(readme(report, backup: backup).utf8), to: "\(target)/RESTORE.md")
        return report
    }

    // MARK: - Steps

    /// Makes `dir` or checks it may be written. - Returns: whether an unfinished restore of
    /// the same backup and modules is resumed.
    public static func prepare(_ dir: String, for report: Report, force: Bool) throws(Failure) -> Bool {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isFolder) else {
            try makeFolder(dir)
            return false
        }
        guard isFolder.boolValue else { throw Failure(description: "\(dir) is a file, not a folder: give a new or empty folder to restore into") }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        if names.isEmpty { return false }
        if let data = FileManager.default.contents(atPath: "\(dir)/\(reportName)"),
           let earlier = try? JSONDecoder().decode(Report.self, from: data),
           earlier.backup == report.backup, earlier.modules == report.modules, earlier.selection == report.selection,
           earlier.output == report.output, !earlier.complete {
            return true
        }
        if force { return false }
        throw Failure(description: "\(dir) is not empty: restore into a new or empty folder (or add --force to write over what is there)")
    }

    /// Every part's SHA-256 against the manifest, before anything is written.
    public static func verifyParts(_ backup: ArchivedBackup) throws(Failure) {
        for file in backup.manifest.files {
            let path = "\(backup.folder)/\(file.name)"
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw Failure(description: "\(path): \(String(cString: strerror(errno))); nothing was restored") }
            defer { close(fd) }
            var hasher = SHA256()
            guard case .success(let size) = FileDigest.update(&hasher, readingFrom: fd), size == file.size, FileDigest.hex(hasher) == file.sha256 else {
                throw Failure(description: "\(path) does not match its SHA-256 in manifest.json (damaged since it was archived); nothing was restored. `zoho-crm-backup verify` names every damaged file; restore another backup")
            }
        }
    }

    /// One file to write and the entries it is made of (one, or a module's files joined).
    struct Planned {
        var path: String
        var sources: [(part: String, entry: ZipEntry)]
    }

    /// What to write, in the parts' order; unsafe entries and symbolic links go to `skipped`.
    static func plan(_ backup: ArchivedBackup, modules: Set<String>?, skipped: inout [Report.Skipped]) throws(Failure) -> [Planned] {
        var planned: [Planned] = []
        var joined: [String: Int] = [:]
        for file in backup.manifest.files {
            let path = "\(backup.folder)/\(file.name)"
            let entries: [ZipEntry]
            do { entries = try Self.entries(path) } catch { throw Failure(description: "\(path): \(error)") }
            for entry in entries.sorted(by: { $0.name < $1.name }) where !entry.name.hasSuffix("/") {
                if let reason = unsafe(entry) {
                    skipped.append(.init(part: file.name, entry: entry.name, reason: reason))
                    continue
                }
                guard let modules else {
                    planned.append(Planned(path: entry.name, sources: [(file.name, entry)]))
                    continue
                }
                guard case .module(let module) = PartIndexer.role(entry.name), modules.contains(module) else { continue }
                if let i = joined[module] { planned[i].sources.append((file.name, entry)) } else {
                    joined[module] = planned.count
                    planned.append(Planned(path: "\(module).csv", sources: [(file.name, entry)]))
                }
            }
        }
        return planned
    }

    /// Writes one planned file: its entries inflated (CRC-checked) into a temporary file —
    /// after the first, each joined file without its BOM and header — fsync'd, then renamed.
    static func extract(_ file: Planned, backup: ArchivedBackup, into dir: String, scratch: String, faults: FaultPoints = .none) throws(Failure) {
        let temp = "\(scratch)/\(UUID().uuidString)"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temp): \(String(cString: strerror(errno)))") }
        var writeError: Int32 = 0
        var last: UInt8 = 0x0A
        func emit(_ bytes: UnsafeRawBufferPointer) {
            guard writeError == 0, let base = bytes.baseAddress, bytes.count > 0 else { return }
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, base + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { writeError = errno; return }
                offset += n
            }
            last = bytes[bytes.count - 1]
        }
        for (i, source) in file.sources.enumerated() {
            if i > 0, last != 0x0A, last != 0x0D { withUnsafeBytes(of: UInt8(0x0A)) { emit($0) } }
            var skipper = HeaderSkipper(active: i > 0)
            do {
                try RecordLookup.inflate(entry: source.entry.name, part: "\(backup.folder)/\(source.part)") { bytes in
                    skipper.pass(bytes, to: emit)
                }
            } catch {
                close(fd)
                unlink(temp)
                throw Failure(description: "\(error.description); restore stopped (files already in place are complete; run it again to resume)")
            }
        }
        do { try faults.injected(.restoreMidFile) } catch {
            close(fd)
            unlink(temp)
            throw Failure(description: "\(error)")
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard writeError == 0, synced else {
            unlink(temp)
            throw Failure(description: "cannot write \(temp): \(String(cString: strerror(writeError == 0 ? errno : writeError))); restore stopped (run it again to resume)")
        }
        let final = "\(dir)/\(file.path)"
        do { try safeFolders(dir, for: file.path) } catch {
            unlink(temp)
            throw error
        }
        guard rename(temp, final) == 0 else {
            throw Failure(description: "cannot move \(temp) to \(final): \(String(cString: strerror(errno)))")
        }
    }
}
