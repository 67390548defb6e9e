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
                logger.info("\(action)")
                if tookEffect, let rule = state.pendingPost?.rrule {
                    logger.notice("Zoho's schedule is now \(rule)", metadata: MessageID.scheduleChanged.metadata)
                }
                recordRequests(action)
            case .confirmImmediate, .forgetImmediate:
                logger.info("\(action)")
                recordRequests(action)
            case .clearAlreadyScheduled:
                state.alreadyScheduledAt = nil
            case .clearQuotaBlock:
                logger.info("\(action)")
                state.quotaBlockedUntil = nil
            case .schedule(let rule):
                guard !zohoChangesStopped, !requestsUnreadable else { continue }
                if await !post(rule, jobBefore: remote.job?.id, client: client) {
                    zohoChangesStopped = true
                    ok = false
                }
            case .cancel(let jobID, let rule):
                guard !zohoChangesStopped, !requestsUnreadable else { continue }
                if await !cancel(jobID: jobID, rule: rule, client: client) {
                    zohoChangesStopped = true
                    ok = false
                }
            case .noteLinks(let seen):
                logger.info("backup \(seen.jobID) completed in Zoho: \(seen.links.count) parts, links expire \(seen.expiry.map { ISO8601DateFormatter().string(from: $0) } ?? "(no date given)")",
                            metadata: [LogField.jobIDKey: .string(seen.jobID)])
                state.seenJobs[seen.jobID] = seen
                saveState()
            case .download(let download):
                if await !archive(download, client: client) { ok = false }
            case .commitComplete(let jobID):
                if await !commitComplete(jobID: jobID) { ok = false }
            case .reportLost(let jobID, let expiry):
                await reportLost(jobID: jobID, expiry: expiry)
            case .reportUnreadableLinks(let problem):
                ok = apply(.linksUnreadable(problem)) && ok
            case .noteHolds(let held):
                noteHolds(held)
            case .prune:
                if await !prune() { ok = false }
            case .raiseFreshnessAlarm(let freshness):
                state.freshnessAlarm = true
                carryOut(Reconcile.freshnessReport(org: policy.name, raised: true, freshness: freshness))
            case .clearFreshnessAlarm:
                state.freshnessAlarm = false
                carryOut(Reconcile.freshnessReport(org: policy.name, raised: false, freshness: .unlimited))
            case .wait(let why):
                if lastWaitLogged != why {
                    logger.info("\(why)")
                    lastWaitLogged = why
                }
            }
        }
        return ok
    }

    /// Applies `outcome` (``Reconcile/apply(_:to:desired:now:)``), saves the state and carries
    /// out the reports. - Returns: whether the outcome is a success.
    func apply(_ outcome: Outcome) -> Bool {
        let (next, reports) = Reconcile.apply(outcome, to: state, desired: Desired(policy), now: now)
        // Only POST outcomes change the recorded requests; they are applied under the org's lock.
        persistRequests(from: state, to: next)
        state = next
        // The alerts reach the outbox before the state that decided them is saved: a kill in
        // between sends one twice (at least once), never none.
        for report in reports { carryOut(report) }
        saveState()
        switch outcome {
        case .postAccepted, .cancelled, .archived, .pruned, .quarantined, .removedNotOffsite: return true
        case .postFailed, .cancelFailed, .archiveFailed, .linksLost, .linksUnreadable, .problem: return false
        case .compared(_, let holdFailure): return holdFailure == nil
        }
    }

    /// Logs, counts and (for an error) throttles a report.
    func carryOut(_ report: Report) {
        for count in report.counts {
            switch count {
            case .failure(let kind): metrics.recordFailure(kind: kind)
            case .quotaError: metrics.recordQuotaError()
            case .archived(let bytes, let parts): metrics.recordArchived(bytes: bytes, parts: parts, at: now.timeIntervalSince1970)
            case .records(let module, let records, let deleted, let changed):
                metrics.setRecords(module: module, records: records, deleted: deleted, changed: changed)
            case .offsiteCopied(let bytes): metrics.recordOffsiteCopy(bytesAdded: bytes, at: now.timeIntervalSince1970)
            }
        }
        let messageID = report.messageID
        let level: Logger.Level = switch report.level {
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
        if report.isError {
            // An error repeated within the hour is neither logged again nor alerted again.
            guard logError(report.message, level: level, messageID: messageID, jobID: report.jobID, fields: report.fields) else { return }
        } else {
            var metadata: Logger.Metadata = messageID?.metadata ?? [:]
            for (key, value) in report.fields { metadata[key] = .string(value) }
            if let jobID = report.jobID { metadata[LogField.jobIDKey] = .string(jobID) }
            logger.log(level: level, "\(report.message)", metadata: metadata)
        }
        alerts?.post(report, org: policy, orgs: [policy], messageID: messageID?.rawValue, now: now)
    }

    /// An archive error (retention, the quarantine) as the decision needs it.
    static func failure(_ error: ArchiveError, jobID: String?) -> Outcome.Failure {
        Outcome.Failure(.other, name: error.code.rawValue, message: error.description, hint: error.remedy, jobID: jobID)
    }

    /// A Zoho error as the decision needs it.
    static func failure(_ error: ZohoError) -> Outcome.Failure {
        let kind: Outcome.Failure.Kind = switch error.kind {
        case .ambiguousPost: .ambiguous
        case .alreadyScheduled: .alreadyScheduled
        case .limitExceeded: .limitExceeded
        case .inProgress, .notFound: .notNow
        case .invalidToken, .scopeMismatch, .noPermission, .invalidClient, .invalidRefreshToken: .credentials
        default: .other
        }
        return Outcome.Failure(kind, name: error.kind.rawValue, message: error.description, hint: error.hint, jobID: error.jobID)
    }

    // MARK: - Retention

    /// Compares the newest backup with the one before it (once a backup), then applies
    /// retention under the org's and the archive's locks. - Returns: false on failure
    /// (a lock held briefly by a command only postpones it).
    func prune() async -> Bool {
        // The newest backup is compared first: a mass change holds the backup before it. When
        // that hold could not be written, retention waits (it could remove that backup).
        // A command's engine (`now` without a daemon) saves no state: it leaves the comparison
        // (whose progress is state) and retention to the daemon.
        guard environment.writesState else { return true }
        guard await compareNewest() else { return false }
        let errorBefore = state.lastError
        guard let lock = await takeArchiveLock(for: "retention") else { return state.lastError == errorBefore }
        defer { lock.unlock() }
        do {
            // Expired downloads that can never complete: what they held goes to the quarantine, with the alarm.
            for kept in try folder.settleExpired(now: now) { alarmQuarantined(kept) }
            let outcomes = try folder.prune(keep: policy.archive.keep, timeZone: policy.timeZone, now: now, dryRun: false, kept: offsiteKept())
            return apply(.pruned(removed: outcomes.filter { !$0.decision.keep }
                .map { Outcome.Pruned(backup: $0.backup, jobID: $0.jobID, reasons: $0.decision.reasons) }))
        } catch {
            return apply(.problem(Self.failure(error, jobID: nil), countedAs: nil))
        }
    }

    // MARK: - Helpers

    /// The org's work lock, waited for briefly; nil (logged) if another command keeps it.
    func takeLock(for work: String) async -> FileLock? {
        do {
            if let lock = try await store.lock(timeout: environment.lockTimeout) { return lock }
            logger.info("\(work) postponed: another command holds \(store.lockPath)")
        } catch {
            _ = apply(.problem(Outcome.Failure(.other, name: "stateFolder", message: "[\(policy.name)] cannot take \(store.lockPath): \(error)",
                                               hint: "Check that the state folder belongs to the service user (zoho-crm-backup)."), countedAs: nil))
        }
        return nil
    }

    /// A named crash point of the supervisor's own work.
    func hit(_ point: FaultPoint) {
        try? environment.faults.injected(point)
    }
}
