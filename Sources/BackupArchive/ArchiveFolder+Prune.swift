import Foundation
import Glibc
import ZohoModel

extension ArchiveFolder {
    /// What pruning did (or would do) to one backup.
    public struct PruneOutcome: Sendable, Equatable {
        /// The backup's folder name in the archive (`<UTC completion>_<job>`).
        public var backup: String
        /// Zoho's id of the job the backup came from.
        public var jobID: String
        /// Whether retention keeps or removes it, and why.
        public var decision: Retention.Decision
    }

    /// Whether `jobID` is in the archive or was pruned from it: never fetch it again.
    public func isKnown(_ jobID: String) -> Bool {
        backup(jobID: jobID) != nil || PrunedJobs.load(archive: path).contains(jobID)
    }

    /// Applies retention: decides with ``Retention``, then (unless `dryRun`) records each
    /// removed job in `.pruned.json` and deletes its folder — first renamed out of sight into
    /// `.partial/`, so a crash mid-delete never leaves a half backup visible. Also removes
    /// leftovers of interrupted deletions. Touches only folders with this tool's manifest.
    /// A backup with a hold in force (``HoldFile``) is kept; when the holds cannot be read,
    /// nothing is removed. A backup in `kept` (name → reason) is kept with that reason (one
    /// not yet off-site, one being copied).
    public func prune(keep: RetentionCounts, timeZone: TimeZone, now: Date, dryRun: Bool, kept: [String: String] = [:]) throws(ArchiveError) -> [PruneOutcome] {
        let all = backups()
        let holds: HoldFile
        do { holds = try self.holds() } catch {
            throw ArchiveError.io(EIO, path: holdsPath, doing: "read the holds before retention (\(error.description))", org: org, jobID: nil, file: nil)
        }
        let held = holds.active(at: now).mapValues { $0.map(\.reason).joined(separator: "; ") }
        let decisions = Retention.decide(all.map { Retention.Candidate(id: $0.name, completedAt: $0.manifest.completedAt) },
                                         keep: keep, timeZone: timeZone, held: held, kept: kept)
        let byName = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let outcomes = decisions.compactMap { d in byName[d.id].map { PruneOutcome(backup: d.id, jobID: $0.manifest.jobID, decision: d) } }
        guard !dryRun else { return outcomes }

        try removeLeftovers(now: now)
        if holds.holds.contains(where: { !$0.isActive(at: now) || !FileManager.default.fileExists(atPath: "\(path)/\($0.backup)") }) {
            _ = try? updateHolds(now: now) { _ in }   // drops expired holds and holds of backups gone (tidying: never blocks a removal)
        }
        let removals = outcomes.filter { !$0.decision.keep }
        guard !removals.isEmpty else { return outcomes }
        var pruned = PrunedJobs.load(archive: path)
        pruned.pruned = pruned.pruned.filter { now.timeIntervalSince($0.prunedAt) < 366 * 86_400 }
        for removal in removals where !pruned.contains(removal.jobID) {
            pruned.pruned.append(.init(jobID: removal.jobID, folder: removal.backup, prunedAt: now))
        }
        do { try pruned.save(archive: path) } catch {
            throw ArchiveError.io(error.errno, path: PrunedJobs.path(in: path), doing: "write", org: org, jobID: nil, file: nil)
        }
        try makeFolder(partialRoot)
        for removal in removals {
            let trash = "\(partialRoot)/.deleting-\(removal.backup)"
            guard rename("\(path)/\(removal.backup)", trash) == 0 else {
                throw ArchiveError.io(errno, path: "\(path)/\(removal.backup)", doing: "move out of sight", org: org, jobID: removal.jobID, file: nil)
            }
            try injected(.pruneMidDelete, jobID: removal.jobID)
            try removeTree(trash, jobID: removal.jobID)
        }
        do { try AtomicFile.syncFolder(path) } catch {
            throw ArchiveError.io(error.errno, path: path, doing: "fsync", org: org, jobID: nil, file: nil)
        }
        return outcomes
    }

    /// Removes `.partial/.deleting-*` left by an interrupted prune, and `.partial/<job>`
    /// folders whose links expired and that can never complete. A complete job (every part
    /// verified, or sealed) is never removed: it is committed (``commitCompletePartials(now:)``);
    /// verified parts and failed copies of an incomplete one go to the quarantine.
    public func removeLeftovers(now: Date) throws(ArchiveError) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: partialRoot)) ?? []
        for name in names where name.hasPrefix(".deleting-") || name.hasPrefix(".reindex-") {
            try removeTree("\(partialRoot)/\(name)", jobID: nil)
        }
        for kept in try settleExpired(now: now) {
            logger.warning("[\(org)] backup \(kept.jobID): links expired; kept \(kept.files.joined(separator: ", ")) in \(kept.folder)",
                           metadata: metadata(jobID: kept.jobID))
        }
    }

    /// `.partial/<job>` folders whose links expired and that can never complete go: what they
    /// held of Zoho's bytes to the quarantine (returned), the rest deleted. A complete job stays
    /// (it is committed, ``commitCompletePartials(now:)``).
    public func settleExpired(now: Date) throws(ArchiveError) -> [QuarantinedJob] {
        var kept: [QuarantinedJob] = []
        for name in partialJobNames() {
            guard let info = PartialJobInfo.read(folder: "\(partialRoot)/\(name)"), let expiry = info.linksExpiry, expiry < now,
                  completeSpec(of: name) == nil else { continue }
            if let job = try quarantine(jobID: name, reason: "its links expired before every part was downloaded and verified", now: now) {
                kept.append(job)
            }
        }
        return kept
    }

    private func removeTree(_ folder: String, jobID: String?) throws(ArchiveError) {
        do { try FileManager.default.removeItem(atPath: folder) } catch {
            throw ArchiveError.io(systemErrno(of: error), path: folder, doing: "delete", org: org, jobID: jobID, file: nil)
        }
    }
}

/// `.partial/<job>/.job.json`: when the job's links expire, so a download that can never
/// finish is cleaned up.
struct PartialJobInfo: Codable {
    var jobID: String
    var linksExpiry: Date?
    /// The whole job (parts, completion time, rule): enough to commit it without Zoho.
    var spec: JobSpec?

    static func read(folder: String) -> PartialJobInfo? {
        FileManager.default.contents(atPath: folder + "/.job.json").flatMap { try? Manifest.decoder.decode(PartialJobInfo.self, from: $0) }
    }
}
