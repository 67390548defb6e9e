import Foundation
import Glibc
import ZohoModel

extension ArchiveFolder {
    /// Where a part's index material is made while it is verified: `<work>/.index/<part>/`.
    func indexMaterial(_ work: String, part: String) -> String { "\(work)/.index/\(part)" }

    /// A fresh indexer for `part`, or nil (logged) when its folder cannot be made: the part is
    /// then indexed again at the commit.
    func partIndexer(_ work: String, part: String, jobID: String) -> PartIndexer? {
        do { return try PartIndexer(folder: indexMaterial(work, part: part), part: part) } catch {
            logger.warning("[\(org)] cannot index \(part) while verifying it (\(error.description)); it is indexed before the commit",
                           metadata: metadata(jobID: jobID, file: part))
            return nil
        }
    }

    /// Writes `<work>/index` from every part's index material; a part verified by an earlier
    /// run (or whose material is missing) is read again for it. Warnings (CSV problems,
    /// skipped entries) go to the journal; they never fail the backup.
    func writeIndex(jobID: String, parts: [String], in work: String) async throws(ArchiveError) {
        try injected(.indexBeforeWrite, jobID: jobID)
        // Written by a run that died before the manifest: it is checked, not made again.
        if let done = try? RecordIndex(path: "\(work)/\(RecordIndex.fileName)"), done.header.jobID == jobID {
            try? FileManager.default.removeItem(atPath: "\(work)/.index")
            return
        }
        var folders: [String] = []
        for part in parts {
            let folder = indexMaterial(work, part: part)
            if !FileManager.default.fileExists(atPath: PartSummary.path(folder)) {
                try await indexAgain("\(work)/\(part)", part: part, into: folder, jobID: jobID)
            }
            folders.append(folder)
        }
        let header: RecordIndexHeader
        do { header = try RecordIndexWriter.build(jobID: jobID, partFolders: folders, into: work) } catch {
            throw ArchiveError(.io, org: org, jobID: jobID, detail: "cannot write the record index: \(error.description)",
                               remedy: "Free space or fix the folder's permissions; the job is committed at the next cycle")
        }
        try? FileManager.default.removeItem(atPath: "\(work)/.index")
        logProblems(header, jobID: jobID)
    }

    /// Reads `file` (a part) again, verifying it, to make its index material in `folder`.
    func indexAgain(_ file: String, part: String, into folder: String, jobID: String) async throws(ArchiveError) {
        let failure = { (detail: String) in
            ArchiveError(.io, org: self.org, jobID: jobID, file: part, detail: "cannot index: \(detail)",
                         remedy: "Check the archive folder (space, permissions); the job is committed at the next cycle")
        }
        let indexer: PartIndexer
        do { indexer = try PartIndexer(folder: folder, part: part) } catch { throw failure(error.description) }
        do { _ = try await ZipVerifier.verify(path: file, parallelism: verifyParallelism, lanes: lanes, checker: checker, tap: indexer) } catch {
            throw failure(error.description)
        }
        do { try indexer.seal() } catch { throw failure(error.description) }
    }

    private func logProblems(_ header: RecordIndexHeader, jobID: String) {
        for module in header.modules {
            for file in module.files where !file.problems.isEmpty || file.incomplete {
                logger.warning("[\(org)] \(file.part): \(file.name) could not be read cleanly, so the record index of \(module.name) may be incomplete (the backup itself is verified): \(file.problems.joined(separator: "; "))",
                               metadata: metadata(jobID: jobID, file: file.part))
            }
        }
        for skipped in header.skipped {
            logger.warning("[\(org)] an entry the record index does not read: \(skipped)", metadata: metadata(jobID: jobID, file: nil))
        }
    }

    /// Builds the index of a backup archived without one (or whose index is damaged), by the
    /// same code path as a new backup, in `.partial/.reindex-<job>/`; then renames it into the
    /// backup's folder. `manifest.json` and `SHA256SUMS` are never touched. The caller holds
    /// the archive's lock.
    public func reindex(_ backup: ArchivedBackup) async throws(ArchiveError) -> RecordIndex {
        let jobID = backup.manifest.jobID
        let work = "\(partialRoot)/.reindex-\(jobID)"
        try? FileManager.default.removeItem(atPath: work)
        try makeFolder(work)
        defer { try? FileManager.default.removeItem(atPath: work) }
        for file in backup.manifest.files {
            try await indexAgain("\(backup.folder)/\(file.name)", part: file.name, into: indexMaterial(work, part: file.name), jobID: jobID)
        }
        try await writeIndex(jobID: jobID, parts: backup.manifest.files.map(\.name), in: work)
        let target = "\(backup.folder)/\(RecordIndex.fileName)"
        guard rename("\(work)/\(RecordIndex.fileName)", target) == 0 else {
            throw ArchiveError.io(errno, path: target, doing: "rename the new index to", org: org, jobID: jobID, file: nil)
        }
        do { try AtomicFile.syncFolder(backup.folder) } catch {
            throw ArchiveError.io(error.errno, path: backup.folder, doing: "fsync", org: org, jobID: jobID, file: nil)
        }
        do { return try RecordIndex(path: target) } catch {
            throw ArchiveError(.io, org: org, jobID: jobID, detail: "the index just written does not read back: \(error.description)",
                               remedy: "Check the disk; run reindex again")
        }
    }

    /// The backup's index, checked; nil when it has none or it is damaged (then ``reindex(_:)`` rebuilds it).
    public func index(of backup: ArchivedBackup) -> Result<RecordIndex, RecordIndex.Unusable> {
        Result { () throws(RecordIndex.Unusable) in try RecordIndex(path: "\(backup.folder)/\(RecordIndex.fileName)") }
    }
}
