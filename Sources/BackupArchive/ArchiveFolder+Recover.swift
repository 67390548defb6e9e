import Foundation
import Glibc
import ZohoModel

/// A job in `.partial/` that needs no more bytes from Zoho: sealed (only the rename was
/// left), or every part downloaded and verified. It is committed even after its links expired.
extension ArchiveFolder {
    /// Where a part that failed verification is kept while it is fetched again.
    static let failedPrefix = ".failed-"

    /// Job ids in `.partial/` that can be committed without Zoho.
    public func completePartialJobs() -> Set<String> {
        Set(partialJobNames().filter { completeSpec(of: $0) != nil })
    }

    /// The job's spec when everything it needs is on disk, else nil.
    func completeSpec(of jobID: String) -> JobSpec? {
        let work = partialFolder(jobID)
        // Sealed (the manifest written; markers and .job.json may already be gone): the manifest says it all.
        if let sealed = sealedManifest(of: jobID) {
            return JobSpec(org: org, jobID: jobID, zgid: sealed.zgid, parts: sealed.files.map { PartRef(fileName: $0.name, url: "") },
                           completedAt: sealed.completedAt, rrule: sealed.rrule, kind: sealed.kind, linksExpiry: sealed.linksExpiry)
        }
        guard let info = PartialJobInfo.read(folder: work), let spec = info.spec, spec.jobID == jobID, !spec.parts.isEmpty else { return nil }
        let complete = spec.parts.allSatisfy { part in
            guard let marker = PartMarker.read("\(work)/.\(part.fileName).done"), let verified = marker.verified else { return false }
            return verified.size == marker.size && size(of: "\(work)/\(part.fileName)") == marker.size
        }
        return complete ? spec : nil
    }

    /// Commits the complete job `jobID` from `.partial/` without asking Zoho for a byte.
    ///
    /// - Returns: the archived backup; nil when the job is not complete on disk.
    public func commitComplete(jobID: String, now: Date) async throws(ArchiveError) -> ArchivedBackup? {
        if let done = backup(jobID: jobID) { return done }
        guard let spec = completeSpec(of: jobID) else { return nil }
        return try await archive(spec, from: OnDiskOnly(), now: now)
    }

    /// The manifest of a sealed `.partial/<job>` whose files are all there, else nil.
    func sealedManifest(of jobID: String) -> Manifest? {
        let work = partialFolder(jobID)
        guard let sealed = Manifest.read(folder: work), sealed.jobID == jobID,
              sealed.files.allSatisfy({ size(of: "\(work)/\($0.name)") == $0.size }) else { return nil }
        return sealed
    }

    /// Commits every complete job in `.partial/` (a crash after verify, or before the
    /// rename): called at start and whenever links expire, so a verified backup is never lost.
    ///
    /// - Returns: what was committed, and what could not be (with why).
    public func commitCompletePartials(now: Date) async -> [Result<ArchivedBackup, ArchiveError>] {
        var results: [Result<ArchivedBackup, ArchiveError>] = []
        for jobID in partialJobNames().sorted() {
            guard let spec = completeSpec(of: jobID) else { continue }
            do { results.append(.success(try await archive(spec, from: OnDiskOnly(), now: now))) } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Moves what `.partial/<job>` holds of Zoho's bytes — parts that verified, and the last
    /// copy of a part that failed verification — into `.quarantine/<job>/` with a note of why,
    /// then removes the rest. The daemon never deletes the quarantine: if our verifier is
    /// wrong, the admin still has Zoho's bytes.
    ///
    /// - Returns: the quarantined job, or nil when nothing of it was worth keeping.
    @discardableResult
    public func quarantine(jobID: String, reason: String, now: Date) throws(ArchiveError) -> QuarantinedJob? {
        let work = partialFolder(jobID)
        guard FileManager.default.fileExists(atPath: work) else { return nil }
        let kept = keptFiles(in: work, jobID: jobID)
        if !kept.isEmpty {
            let target = "\(quarantineRoot)/\(jobID)"
            try makeFolder(target)
            // The note first (what is being moved, and why), so a crash mid-move leaves a folder
            // that `status` still shows.
            let note = QuarantinedJob.Note(jobID: jobID, reason: reason, at: now.wholeSeconds,
                                           files: kept.map { QuarantinedJob.Note.File(name: $0.name, state: $0.state) })
            do {
                try AtomicFile.write((try? Manifest.encoder.encode(note)) ?? Data(), to: "\(target)/\(QuarantinedJob.noteName)", permissions: 0o600)
            } catch {
                throw ArchiveError.io(error.errno, path: target, doing: "write the quarantine note in", org: org, jobID: jobID, file: nil)
            }
            for file in kept where rename("\(work)/\(file.source)", "\(target)/\(file.name)") != 0 && errno != ENOENT {
                throw ArchiveError.io(errno, path: "\(target)/\(file.name)", doing: "move into the quarantine", org: org, jobID: jobID, file: file.name)
            }
            do { try AtomicFile.syncFolder(target) } catch {
                throw ArchiveError.io(error.errno, path: target, doing: "fsync", org: org, jobID: jobID, file: nil)
            }
        }
        do { try FileManager.default.removeItem(atPath: work) } catch {
            throw ArchiveError.io(systemErrno(of: error), path: work, doing: "delete", org: org, jobID: jobID, file: nil)
        }
        return kept.isEmpty ? nil : QuarantinedJob(jobID: jobID, folder: "\(quarantineRoot)/\(jobID)", files: kept.map(\.name), reason: reason)
    }

    /// What of `.partial/<job>` is Zoho's bytes worth keeping: parts that verified (or that a
    /// sealed manifest lists), parts downloaded whole but not verified yet, and the last copy
    /// of a part that failed verification (named `<part>.failed` beside a good copy). Cut-off
    /// downloads are not kept: they are not a file Zoho sent.
    func keptFiles(in work: String, jobID: String) -> [QuarantinedJob.File] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []
        let sealed = Set(Manifest.read(folder: work).map { $0.files.map(\.name) } ?? [])
        var kept: [QuarantinedJob.File] = []
        for name in names.sorted() where !name.hasPrefix(".") && DownloadLink.parseFileName(name) != nil {
            let marker = PartMarker.read("\(work)/.\(name).done")
            guard sealed.contains(name) || marker?.size == size(of: "\(work)/\(name)") else { continue }
            kept.append(.init(name: name, source: name, state: sealed.contains(name) || marker?.verified != nil ? "verified" : "downloaded, not verified"))
        }
        for name in names.sorted() where name.hasPrefix(Self.failedPrefix) {
            let part = String(name.dropFirst(Self.failedPrefix.count))
            let taken = kept.contains { $0.name == part }
            kept.append(.init(name: taken ? part + ".failed" : part, source: name, state: "failed verification"))
        }
        return kept
    }

    /// Every job in `.quarantine/`, for `status` and the metrics.
    public func quarantined() -> [QuarantinedJob] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: quarantineRoot)) ?? []
        return names.sorted().map { jobID in
            let folder = "\(quarantineRoot)/\(jobID)"
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0 != QuarantinedJob.noteName }.sorted()
            let note = FileManager.default.contents(atPath: "\(folder)/\(QuarantinedJob.noteName)")
                .flatMap { try? Manifest.decoder.decode(QuarantinedJob.Note.self, from: $0) }
            return QuarantinedJob(jobID: jobID, folder: folder, files: files, reason: note?.reason ?? "(no QUARANTINE.json: look at the files)")
        }
    }

    var quarantineRoot: String { path + "/.quarantine" }

    func partialJobNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: partialRoot)) ?? []).filter { !$0.hasPrefix(".") }
    }

    func size(of file: String) -> Int64? {
        var info = stat()
        return lstat(file, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int64(info.st_size) : nil
    }
}

/// A job whose links expired with parts kept in `<archive>/.quarantine/<job>/`.
public struct QuarantinedJob: Sendable, Equatable {
    /// Zoho's id of the job; also the name of its folder in `.quarantine/`.
    public var jobID: String
    /// The full path of `<archive>/.quarantine/<job>`.
    public var folder: String
    /// The names of the files kept there, `QUARANTINE.json` not counted.
    public var files: [String]
    /// Why the job was quarantined, from `QUARANTINE.json` (a placeholder when the note is missing).
    public var reason: String

    static let noteName = "QUARANTINE.json"

    struct File: Equatable {
        var name: String
        var source: String
        var state: String
    }

    /// `QUARANTINE.json`: why the files are there.
    struct Note: Codable {
        struct File: Codable {
            var name: String
            var state: String
        }
        var jobID: String
        var reason: String
        var at: Date
        var files: [File]
    }
}

/// The source of a job whose every part is on disk: asking it for bytes is an error (the
/// links may have expired; nothing needs them).
struct OnDiskOnly: PartSource {
    struct NotOnDisk: Error, CustomStringConvertible {
        var description: String { "the part is not complete on disk and its links are not used" }
    }

    func fetch(_ part: PartRef, from offset: Int64, into sink: (Int64, Int64?, UnsafeRawBufferPointer) throws -> Void) async throws {
        throw NotOnDisk()
    }
}
