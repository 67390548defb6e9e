import BackupArchive
import Foundation
import Logging
import Reconcile
import Systemd
import ZohoAPI
import ZohoModel

extension OrgWorker {
    /// Carries out `actions` in order. A failed change to Zoho's schedule stops the other
    /// schedule changes of this cycle (the next cycle observes first) but not the downloads.
    ///
    /// - Returns: false when something failed (the cycle backs off).
    func execute(_ actions: [Action], remote: RemoteObservation, client: ZohoClient) async -> Bool {
        var ok = true
        var zohoChangesStopped = false
        for action in actions {
            if Task.isCancelled { return ok }
            switch action {
            case .resolvePending(let tookEffect):
                logger.info("[\(policy.name)] \(action)")
                if tookEffect, let rule = state.pendingPost?.rrule {
                    logger.notice("[\(policy.name)] Zoho's schedule is now \(rule)", metadata: MessageID.scheduleChanged.metadata)
                }
                state.pendingPost = nil
            case .clearAlreadyScheduled:
                state.alreadyScheduledAt = nil
            case .clearQuotaBlock:
                logger.info("[\(policy.name)] \(action)")
                state.quotaBlockedUntil = nil
            case .schedule(let rule):
                guard !zohoChangesStopped else { continue }
                if await !post(rule, jobBefore: remote.job?.id, client: client) {
                    zohoChangesStopped = true
                    ok = false
                }
            case .cancel(let jobID, let rule):
                guard !zohoChangesStopped else { continue }
                if await !cancel(jobID: jobID, rule: rule, client: client) {
                    zohoChangesStopped = true
                    ok = false
                }
            case .noteLinks(let seen):
                logger.info("[\(policy.name)] backup \(seen.jobID) completed in Zoho: \(seen.links.count) parts, links expire \(seen.expiry.map { ISO8601DateFormatter().string(from: $0) } ?? "(no date given)")",
                            metadata: [LogField.jobIDKey: .string(seen.jobID)])
                state.seenJobs[seen.jobID] = seen
                saveState()
            case .download(let download):
                if await !archive(download, client: client) { ok = false }
            case .commitComplete(let jobID):
                if await !commitComplete(jobID: jobID) { ok = false }
            case .reportLost(let jobID, let expiry):
                reportLost(jobID: jobID, expiry: expiry)
            case .reportUnreadableLinks(let problem):
                metrics.recordFailure(kind: "links_unreadable")
                report(kind: "linksUnreadable", message: "[\(policy.name)] Zoho's download links are not understood: \(problem)",
                       hint: "Nothing can be downloaded while this lasts. Download the backup from Zoho's web UI before its links expire, and report this message: Zoho may have changed its link format.",
                       messageID: .linksUnreadable)
                ok = false
            case .prune:
                if !prune() { ok = false }
            case .raiseFreshnessAlarm(let freshness):
                state.freshnessAlarm = true
                logger.critical("[\(policy.name)] no recent backup: \(freshness). Check `zoho-crm-backup status` and the journal for this org's errors; Zoho's schedule may have been changed or the downloads may be failing.",
                                metadata: MessageID.freshnessAlarm.metadata)
            case .clearFreshnessAlarm:
                state.freshnessAlarm = false
                logger.notice("[\(policy.name)] a recent backup is archived again: the freshness alarm is over")
            case .wait(let why):
                if lastWaitLogged != why {
                    logger.info("[\(policy.name)] \(why)")
                    lastWaitLogged = why
                }
            }
        }
        return ok
    }

    // MARK: - Zoho's schedule

    /// POSTs `rule`, recording the intent first so that a crash or an unanswered request
    /// never leads to a second POST before an observation. - Returns: false on failure.
    func post(_ rule: RRule, jobBefore: String?, client: ZohoClient) async -> Bool {
        guard let lock = await takeLock(for: "schedule \(rule.normalized)") else { return false }
        defer { lock.unlock() }
        state.pendingPost = OrgState.PendingPost(rrule: rule.normalized, sentAt: now, jobIDBefore: jobBefore)
        saveState()
        hit("post.beforeSend")
        do {
            let id = try await client.schedule(rule)
            hit("post.afterSend")
            state.pendingPost = nil
            saveState()
            logger.notice("[\(policy.name)] scheduled \(rule.normalized) in Zoho (job \(id))",
                          metadata: MessageID.scheduleChanged.metadata.merging([LogField.jobIDKey: .string(id)]) { a, _ in a })
            return true
        } catch {
            switch error.kind {
            case .ambiguousPost:
                // Keep the intent: the next observation says whether it took effect.
                report(kind: error.kind.rawValue, message: error.description, hint: error.hint, level: .warning)
            case .alreadyScheduled:
                state.pendingPost = nil
                state.alreadyScheduledAt = now
                report(kind: error.kind.rawValue, message: error.description, hint: "The daemon observes Zoho again before any other request.", level: .warning)
            case .limitExceeded:
                state.pendingPost = nil
                let until = Quota.nextMonthStart(after: now, timeZone: policy.timeZone)
                state.quotaBlockedUntil = until
                metrics.recordQuotaError()
                report(kind: error.kind.rawValue, message: error.description,
                       hint: "No backup request is sent to Zoho before \(ISO8601DateFormatter().string(from: until)) (the next month in \(policy.timeZone.identifier)).")
            default:
                state.pendingPost = nil
                record(error)
            }
            saveState()
            return false
        }
    }

    /// Cancels a recurring schedule. - Returns: false on failure.
    func cancel(jobID: String, rule: String?, client: ZohoClient) async -> Bool {
        guard let lock = await takeLock(for: "cancel job \(jobID)") else { return false }
        defer { lock.unlock() }
        do {
            try await client.cancel(jobID: jobID)
            hit("cancel.afterSend")
            logger.notice("[\(policy.name)] cancelled Zoho's recurring schedule \(rule ?? "") (job \(jobID))",
                          metadata: MessageID.scheduleChanged.metadata.merging([LogField.jobIDKey: .string(jobID)]) { a, _ in a })
            return true
        } catch {
            switch error.kind {
            case .alreadyCancelled:
                return true
            case .inProgress, .notFound:
                logger.info("[\(policy.name)] \(error.description)")
                return false
            default:
                record(error)
                return false
            }
        }
    }

    // MARK: - Archive

    /// Downloads, verifies and commits a backup under the org's lock and one download slot.
    /// - Returns: false on failure (what is downloaded stays in `.partial/` and resumes).
    func archive(_ download: Action.Download, client: ZohoClient) async -> Bool {
        let links = policy.attachments ? download.links : download.links.filter { !(DownloadLink($0)?.kind == .attachments) }
        let spec: JobSpec
        do {
            spec = try JobSpec.fromLinks(links, org: policy.name, completedAt: download.completedAt,
                                         rrule: state.lastObservation?.job?.rrule, linksExpiry: download.expiry)
        } catch {
            reportArchiveFailure(error, jobID: download.jobID)
            return false
        }
        guard let lock = await takeLock(for: "download job \(download.jobID)") else { return false }
        defer { lock.unlock() }
        snapshot.downloading = (download.jobID, spec.parts.count)
        defer { snapshot.downloading = nil }
        logger.info("[\(policy.name)] \(download.resume ? "resuming" : "downloading") backup \(download.jobID): \(spec.parts.count) parts",
                    metadata: [LogField.jobIDKey: .string(download.jobID)])
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
                logger.info("[\(policy.name)] download of backup \(download.jobID) stopped; it resumes where it stopped",
                            metadata: [LogField.jobIDKey: .string(download.jobID)])
                return false
            }
            reportArchiveFailure(error, jobID: download.jobID)
            return false
        } catch {
            // Cancelled while waiting for a slot: nothing started.
            return false
        }
    }

    /// Bookkeeping, metrics and the journal line of a committed backup.
    func didArchive(_ archived: ArchivedBackup, fromDisk: Bool = false) {
        let jobID = archived.manifest.jobID
        state.seenJobs[jobID] = nil
        state.pruneDue = true
        if state.lastError?.kind == Self.linksExpiredKind { state.lastError = nil }
        state.lastArchived = archived.name
        saveState()
        let bytes = archived.manifest.totalSize
        let parts = archived.manifest.files.count
        metrics.recordArchived(bytes: bytes, parts: parts, at: now.timeIntervalSince1970)
        logger.notice("[\(policy.name)] archived backup \(jobID): \(parts) part\(parts == 1 ? "" : "s"), \(bytes) bytes, verified, in \(archived.folder)\(fromDisk ? " (committed from .partial/, where it was complete)" : "")",
                      metadata: MessageID.backupArchived.metadata.merging([LogField.jobIDKey: .string(jobID)]) { a, _ in a })
    }

    /// Commits a job whose parts are all verified in `.partial/` (its links may have expired).
    /// - Returns: false on failure.
    func commitComplete(jobID: String) async -> Bool {
        guard let lock = await takeLock(for: "commit job \(jobID)") else { return false }
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
        guard let lock = await takeLock(for: "commit complete downloads") else { return false }
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
        if error.code == .injectedFault {
            logger.warning("\(error.description)")
        }
        metrics.recordFailure(kind: error.code == .corruptPart || error.code == .sizeMismatch ? "verify" : "download")
        var message = error.description
        var hint = error.remedy
        if let zoho = error.underlying as? ZohoError {
            message = zoho.description
            hint = zoho.hint
        }
        report(kind: error.code.rawValue, message: message, hint: hint, messageID: .backupFailed, jobID: jobID)
    }

    func reportLost(jobID: String, expiry: Date?) {
        state.lostJobs = Array((state.lostJobs + [jobID]).suffix(100))
        state.seenJobs[jobID] = nil
        metrics.recordFailure(kind: "links_expired")
        quarantine(jobID: jobID)
        let when = expiry.map { ISO8601DateFormatter().string(from: $0) } ?? "before it could be downloaded"
        report(kind: Self.linksExpiredKind,
               message: "[\(policy.name)] lost: links expired — backup \(jobID) was not archived before its links expired (\(when))",
               hint: "This backup cannot be downloaded any more. Look at the errors logged for this org before it (disk, network, credentials), fix them, and start a new backup with `zoho-crm-backup now --org \(policy.name)` if one is needed before the next scheduled one.",
               messageID: .linksExpired, jobID: jobID, level: .critical)
        saveState()
    }

    /// Moves what `.partial/` holds of a lost job into the quarantine, with the alarm.
    func quarantine(jobID: String) {
        do {
            guard let kept = try folder.quarantine(jobID: jobID, reason: "its links expired before every part was downloaded and verified", now: now) else { return }
            logger.critical("[\(policy.name)] backup \(jobID): its links expired; Zoho's bytes of \(kept.files.joined(separator: ", ")) are kept in \(kept.folder) (QUARANTINE.json says which verified). The daemon never deletes them: check them with unzip -t and remove the folder when done.",
                            metadata: MessageID.partsQuarantined.metadata.merging([LogField.jobIDKey: .string(jobID)]) { a, _ in a })
        } catch {
            report(kind: error.code.rawValue, message: error.description, hint: error.remedy, jobID: jobID)
        }
        metrics.setQuarantinedParts(folder.quarantined().reduce(0) { $0 + $1.files.count })
    }

    // MARK: - Retention

    /// Applies retention under the org's lock. - Returns: false on failure.
    func prune() -> Bool {
        guard let lock = try? FileLock.tryAcquire(store.lockPath) else {
            logger.info("[\(policy.name)] retention postponed: another command holds \(store.lockPath)")
            return true
        }
        defer { lock.unlock() }
        do {
            let outcomes = try folder.prune(keep: policy.archive.keep, timeZone: policy.timeZone, now: now, dryRun: false)
            for removed in outcomes where !removed.decision.keep {
                logger.notice("[\(policy.name)] retention removed backup \(removed.backup) (\(removed.decision.reasons.joined(separator: ", ")))",
                              metadata: MessageID.retentionRemoved.metadata.merging([LogField.jobIDKey: .string(removed.jobID)]) { a, _ in a })
            }
            state.pruneDue = false
            saveState()
            return true
        } catch {
            report(kind: error.code.rawValue, message: error.description, hint: error.remedy)
            return false
        }
    }

    // MARK: - Helpers

    /// The org's work lock, waited for briefly; nil (logged) if another command keeps it.
    func takeLock(for work: String) async -> FileLock? {
        do {
            if let lock = try await store.lock(timeout: environment.lockTimeout) { return lock }
            logger.info("[\(policy.name)] \(work) postponed: another command holds \(store.lockPath)")
        } catch {
            report(kind: "stateFolder", message: "[\(policy.name)] cannot take \(store.lockPath): \(error)",
                   hint: "Check that the state folder belongs to the service user (zoho-crm-backup).")
        }
        return nil
    }

    /// A named crash point of the supervisor's own work.
    func hit(_ point: String) {
        try? environment.faults.hit(point)
    }
}
