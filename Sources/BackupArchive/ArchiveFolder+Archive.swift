import Foundation
import Glibc
import ZohoModel

extension ArchiveFolder {
    /// Brings `job` home: every part downloaded into `.partial/<job>/` (resuming what is
    /// there), every zip verified, then committed as `<UTC completion>_<job>/` by one rename.
    /// A job already in the archive is returned as it is.
    ///
    /// After a throw, the archive holds either the whole verified backup or nothing visible
    /// for this job: what was downloaded stays in `.partial/` and resumes at the next call.
    public func archive(_ job: JobSpec, from source: any PartSource, now: Date) async throws(ArchiveError) -> ArchivedBackup {
        if let done = backup(jobID: job.jobID) { return done }
        try job.checkComplete()
        try makeFolder(path)
        let work = partialFolder(job.jobID)
        try makeFolder(work)
        // Sealed before a crash (verified, sums and manifest written): only the rename is left.
        if let sealed = Manifest.read(folder: work), sealed.jobID == job.jobID,
           sealed.files.allSatisfy({ size(of: "\(work)/\($0.name)") == $0.size }) {
            return try publish(job, manifest: sealed, from: work)
        }

        // The whole job, so a complete download can be committed after its links expired.
        let info = PartialJobInfo(jobID: job.jobID, linksExpiry: job.linksExpiry, spec: job)
        try write((try? Manifest.encoder.encode(info)) ?? Data(), to: "\(work)/.job.json", job: job)

        var files: [Manifest.File] = []
        for (index, part) in job.parts.enumerated() {
            if index > 0 { try injected(.jobBetweenParts, jobID: job.jobID) }
            files.append(try await fetchVerified(part, of: job, into: work, from: source))
        }
        try injected(.jobAfterVerify, jobID: job.jobID)
        return try await commit(job, files: files, from: work, now: now)
    }

    /// Downloads (or finds downloaded) and verifies one part; a corrupt one is fetched again.
    /// A part verified before (its marker says so) is taken as it is: it was fsync'd first.
    ///
    /// A copy that fails verification is never deleted: it is kept as `.failed-<part>` (the
    /// newest one) while the part is fetched again, and goes to the quarantine if the links
    /// expire before a good copy arrives (``quarantine(jobID:reason:now:)``).
    private func fetchVerified(_ part: PartRef, of job: JobSpec, into work: String, from source: any PartSource) async throws(ArchiveError) -> Manifest.File {
        let file = "\(work)/\(part.fileName)"
        let marker = "\(work)/.\(part.fileName).done"
        var attempt = 0
        while true {
            attempt += 1
            var sha: String
            var size: Int64
            if let done = PartMarker.read(marker), done.size == self.size(of: file) {
                if let verified = done.verified, verified.size == done.size { return verified }
                (sha, size) = (done.sha256, done.size)
            } else {
                // A marker that does not describe the file on disk is stale: never let it name new bytes.
                unlink(marker)
                let result = try await PartDownload(org: org, jobID: job.jobID, minFree: minFree, faults: faults).run(part, into: file, from: source)
                (sha, size) = (result.sha256, result.size)
                if result.resumedFrom > 0 {
                    logger.info("resumed \(part.fileName) from byte \(result.resumedFrom)",
                                metadata: metadata(jobID: job.jobID, file: part.fileName))
                }
                try PartMarker(size: size, sha256: sha).write(marker, org: org, jobID: job.jobID, file: part.fileName)
            }
            let summary: ZipVerifier.Summary
            let indexer = indexing ? partIndexer(work, part: part.fileName, jobID: job.jobID) : nil
            do {
                summary = try await ZipVerifier.verify(path: file, parallelism: verifyParallelism, lanes: lanes,
                                                       checker: FaultingChecker(base: checker, faults: faults), tap: indexer)
            } catch {
                // Keep Zoho's bytes: the newest copy that failed replaces an older one. The marker
                // goes first, so a crash in between leaves no marker naming these bytes.
                unlink(marker)
                rename(file, "\(work)/\(Self.failedPrefix)\(part.fileName)")
                let failure = ArchiveError(.corruptPart, org: org, jobID: job.jobID, file: part.fileName,
                                           detail: "the downloaded zip is damaged: \(error.description)",
                                           remedy: attempt <= corruptRefetches ? "It is fetched again" : "Nothing was archived for this job; the daemon tries again while the links live, and keeps the last copy in the archive's .quarantine/ if they expire")
                logger.error("\(failure)", metadata: metadata(jobID: job.jobID, file: part.fileName))
                guard attempt <= corruptRefetches else { throw failure }
                continue
            }
            for warning in summary.warnings {
                logger.warning("[\(org)] \(part.fileName) of backup \(job.jobID): \(warning); it verified, but look at it if it is not what Zoho exports",
                               metadata: metadata(jobID: job.jobID, file: part.fileName))
            }
            // The part's index material is durable before its marker says "verified"; if not, the commit indexes it again.
            do { try indexer?.seal() } catch {
                logger.warning("[\(org)] \(error.description); \(part.fileName) is indexed again before the commit",
                               metadata: metadata(jobID: job.jobID, file: part.fileName))
            }
            let kind = part.fileName.hasPrefix("Data_") ? "data" : "attachments"
            let verified = Manifest.File(name: part.fileName, kind: kind, size: size, sha256: sha, entries: summary.entries,
                                         uncompressedBytes: summary.uncompressedBytes, verifiedAt: clock.date.wholeSeconds)
            try PartMarker(size: size, sha256: sha, verified: verified).write(marker, org: org, jobID: job.jobID, file: part.fileName)
            unlink("\(work)/\(Self.failedPrefix)\(part.fileName)")
            return verified
        }
    }

    /// Seals the job (SHA256SUMS and manifest.json written, fsync'd), then publishes it.
    private func commit(_ job: JobSpec, files: [Manifest.File], from work: String, now: Date) async throws(ArchiveError) -> ArchivedBackup {
        // Every part verified: an older failed copy (a crash before its removal) is not part of the backup.
        for part in files { unlink("\(work)/\(Self.failedPrefix)\(part.name)") }
        // The record index first: a backup never appears without it.
        if indexing { try await writeIndex(jobID: job.jobID, parts: files.map(\.name), in: work) }
        let sums = files.sorted { $0.name < $1.name }.map { "\($0.sha256)  \($0.name)\n" }.joined()
        try write(Data(sums.utf8), to: "\(work)/SHA256SUMS", job: job)
        try injected(.commitBeforeManifest, jobID: job.jobID)
        // Whole seconds: what the manifest's ISO 8601 dates can hold, so it reads back equal.
        let manifest = Manifest(tool: ToolInfo.name, toolVersion: ToolInfo.version, format: Manifest.currentFormat, org: org, jobID: job.jobID,
                                zgid: job.zgid, completedAt: job.completedAt.wholeSeconds, rrule: job.rrule, kind: job.kind,
                                linksExpiry: job.linksExpiry?.wholeSeconds, committedAt: now.wholeSeconds, files: files)
        let data = (try? Manifest.encoder.encode(manifest)) ?? Data()
        try write(data, to: "\(work)/manifest.json", job: job)
        for part in files { unlink("\(work)/.\(part.name).done") }
        unlink("\(work)/.job.json")
        do { try AtomicFile.syncFolder(work) } catch {
            throw ArchiveError.io(error.errno, path: work, doing: "fsync", org: org, jobID: job.jobID, file: nil)
        }
        return try publish(job, manifest: manifest, from: work)
    }

    /// Renames the sealed `.partial/<job>` into place and fsyncs the archive folder.
    private func publish(_ job: JobSpec, manifest: Manifest, from work: String) throws(ArchiveError) -> ArchivedBackup {
        try injected(.commitBeforeRename, jobID: job.jobID)
        let target = "\(path)/\(Self.folderName(completedAt: job.completedAt, jobID: job.jobID))"
        guard rename(work, target) == 0 else {
            throw ArchiveError.io(errno, path: target, doing: "rename \(work) to", org: org, jobID: job.jobID, file: nil)
        }
        try injected(.commitAfterRename, jobID: job.jobID)
        try injected(.commitBeforeDirFsync, jobID: job.jobID)
        do { try AtomicFile.syncFolder(path) } catch {
            throw ArchiveError.io(error.errno, path: path, doing: "fsync", org: org, jobID: job.jobID, file: nil)
        }
        return ArchivedBackup(folder: target, manifest: manifest)
    }

    private func write(_ data: Data, to file: String, job: JobSpec) throws(ArchiveError) {
        do { try AtomicFile.write(data, to: file, permissions: 0o600) } catch {
            throw ArchiveError.io(error.errno, path: file, doing: "write", org: org, jobID: job.jobID, file: nil)
        }
    }
}

/// `.partial/<job>/.<file>.done`: a part downloaded whole and fsync'd, with its hash, so a
/// restart does not fetch or hash it again; once it passed verification, with its manifest
/// entry, so it is neither verified again nor ever deleted as a leftover.
struct PartMarker: Codable {
    var size: Int64
    var sha256: String
    var verified: Manifest.File?

    static func read(_ path: String) -> PartMarker? {
        FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(PartMarker.self, from: $0) }
    }

    func write(_ path: String, org: String, jobID: String, file: String) throws(ArchiveError) {
        do { try AtomicFile.write((try? JSONEncoder().encode(self)) ?? Data(), to: path, permissions: 0o600) } catch {
            throw ArchiveError.io(error.errno, path: path, doing: "write", org: org, jobID: jobID, file: file)
        }
    }
}

extension Date {
    /// This instant without its fraction of a second.
    var wholeSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}

extension ArchiveFolder {
    /// Downloads the job's parts (hashing and fsyncing as ``archive(_:from:now:)`` does) and
    /// renames the `.partial` folder into place without verifying or writing a manifest: the
    /// download half of the work alone, for the benchmark's comparison with `curl`.
    public func downloadOnly(_ job: JobSpec, from source: any PartSource) async throws(ArchiveError) -> String {
        try makeFolder(path)
        let work = partialFolder(job.jobID)
        try makeFolder(work)
        for part in job.parts {
            _ = try await PartDownload(org: org, jobID: job.jobID, minFree: minFree, faults: faults).run(part, into: "\(work)/\(part.fileName)", from: source)
        }
        let target = "\(path)/\(Self.folderName(completedAt: job.completedAt, jobID: job.jobID))"
        guard rename(work, target) == 0 else {
            throw ArchiveError.io(errno, path: target, doing: "rename \(work) to", org: org, jobID: job.jobID, file: nil)
        }
        do { try AtomicFile.syncFolder(path) } catch {
            throw ArchiveError.io(error.errno, path: path, doing: "fsync", org: org, jobID: job.jobID, file: nil)
        }
        return target
    }
}
