import BackupArchive
import Foundation
import Logging
import Reconcile
import Systemd
import ZohoAPI
import ZohoModel

/// Bringing a backup home, committing what is complete on disk, and what a failure or a loss
/// leaves behind (the report, the quarantine).
extension OrgWorker {
    /// Downloads, verifies and commits a backup under the org's lock and one download slot.
    /// - Returns: false on failure (what is downloaded stays in `.partial/` and resumes).
    func archive(_ download: Action.Download, client: ZohoClient) async -> Bool {
        let spec: JobSpec
        do {
            // Noted by an older release: the rule Zoho shows now, as that release recorded it.
            let rrule = download.kind == nil ? state.lastObservation?.job?.rrule : download.rrule
            spec = try JobSpec.fromLinks(download.links, org: policy.name, completedAt: download.completedAt,
                                         rrule: rrule, kind: download.kind, linksExpiry: download.expiry)
        } catch {
            reportArchiveFailure(error, jobID: download.jobID)
            return false
        }
        guard let lock = await takeArchiveLock(for: "download job \(download.jobID)") else { return false }
        defer { lock.unlock() }
        snapshot.downloading = (download.jobID, spec.parts.count)
        defer { snapshot.downloading = nil }
        carryOut(Reconcile.downloadStarted(org: policy.name, jobID: download.jobID, parts: spec.parts.count, resume: download.resume))
        let source = ZohoPartSource(client: client)
        let folder = folder
        let started = now
        let timer = ContinuousClock.now
        do {
            let archived = try await slots.withSlot(urgent: download.urgent) { () async throws -> ArchivedBackup in
                try await folder.archive(spec, from: source, now: started)
            }
            let elapsed = ContinuousClock.now - timer
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if seconds > 0 { environment.metrics.downloadBytesPerSecond.record(Double(archived.manifest.totalSize) / seconds) }
            didArchive(archived)
            return true
        } catch let error as ArchiveError {
            if Task.isCancelled {
                logger.info("download of backup \(download.jobID) stopped; it resumes where it stopped",
                            metadata: [LogField.jobIDKey: .string(download.jobID)])
                return false
            }
            reportArchiveFailure(error, jobID: download.jobID)
            if error.code == .diskFull { makeRoomForDownload() }
            return false
        } catch {
            // Cancelled while waiting for a slot: nothing started.
            return false
        }
    }

    /// A committed backup's outcome: bookkeeping, metrics and the journal line (``Reconcile/apply(_:to:desired:now:)``).
    func didArchive(_ archived: ArchivedBackup, fromDisk: Bool = false) {
        if var seen = archiveSeen {
            seen.knownJobs.insert(archived.manifest.jobID)
            if seen.newestBackup.map({ archived.manifest.completedAt >= $0 }) ?? true {
                seen.newestBackup = archived.manifest.completedAt
                seen.newestJobID = archived.manifest.jobID
            }
            archiveSeen = seen
        }
        _ = apply(.archived(.init(jobID: archived.manifest.jobID, name: archived.name, folder: archived.folder,
                                  parts: archived.manifest.files.count, bytes: archived.manifest.totalSize, fromDisk: fromDisk)))
    }

    /// Commits a job whose parts are all verified in `.partial/` (its links may have expired).
    /// - Returns: false on failure.
    func commitComplete(jobID: String) async -> Bool {
        guard let lock = await takeArchiveLock(for: "commit job \(jobID)") else { return false }
        defer { lock.unlock() }
        do {
            guard let archived = try await folder.commitComplete(jobID: jobID, now: now) else { return true }
            didArchive(archived, fromDisk: true)
            return true
        } catch {
            reportArchiveFailure(error, jobID: jobID)
            return false
        }
    }

    /// At start: commits every complete download a crash left in `.partial/` (sealed, or every
    /// part verified), whether or not its links still live. - Returns: false when the org's
    /// lock could not be taken (tried again next cycle).
    func commitCompletePartials() async -> Bool {
        guard !folder.completePartialJobs().isEmpty else { return true }
        guard let lock = await takeArchiveLock(for: "commit complete downloads") else { return false }
        defer { lock.unlock() }
        for result in await folder.commitCompletePartials(now: now) {
            switch result {
            case .success(let archived): didArchive(archived, fromDisk: true)
            case .failure(let error): reportArchiveFailure(error, jobID: error.jobID ?? "")
            }
        }
        return true
    }

    func reportArchiveFailure(_ error: ArchiveError, jobID: String) {
        var message = error.description
        var hint = error.remedy
        if let zoho = error.underlying as? ZohoError {
            message = zoho.description
            hint = zoho.hint
        }
        let failure = Outcome.Failure(.other, name: error.code.rawValue, message: message, hint: hint, jobID: jobID)
        _ = apply(.archiveFailed(jobID: jobID, failure, countedAs: error.code == .corruptPart || error.code == .sizeMismatch ? FailureKind.verify : .download))
    }

    func reportLost(jobID: String, expiry: Date?) async {
        await quarantine(jobID: jobID)
        _ = apply(.linksLost(jobID: jobID, expiry: expiry))
    }

    /// Moves what `.partial/` holds of a lost job into the quarantine (under the org's lock,
    /// so a `prune` command cannot settle the same job at once), with the alarm.
    func quarantine(jobID: String) async {
        guard let lock = await takeArchiveLock(for: "quarantine job \(jobID)") else { return }   // settled by the next prune
        defer { lock.unlock() }
        do {
            guard let kept = try folder.quarantine(jobID: jobID, reason: "its links expired before every part was downloaded and verified", now: now) else { return }
            alarmQuarantined(kept)
        } catch {
            _ = apply(.problem(Self.failure(error, jobID: jobID), countedAs: nil))
        }
    }

    /// The critical journal entry of parts kept in the quarantine (``Reconcile/apply(_:to:desired:now:)``), and the metric.
    func alarmQuarantined(_ kept: QuarantinedJob) {
        _ = apply(.quarantined(jobID: kept.jobID, files: kept.files, folder: kept.folder))
        updateQuarantineMetric()
    }

    func updateQuarantineMetric() {
        metrics.setQuarantinedParts(folder.quarantined().reduce(0) { $0 + $1.files.count })
    }
}
