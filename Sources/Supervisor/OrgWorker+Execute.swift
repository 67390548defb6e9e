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
                await reportLost(jobID: jobID, expiry: expiry)
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
        hit(.postBeforeSend)
        do {
            let id = try await client.schedule(rule)
            hit(.postAfterSend)
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
            hit(.cancelAfterSend)
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

    // MARK: - Retention

    /// Applies retention under the org's lock. - Returns: false on failure.
    func prune() -> Bool {
        guard let lock = try? FileLock.tryAcquire(store.lockPath) else {
            logger.info("[\(policy.name)] retention postponed: another command holds \(store.lockPath)")
            return true
        }
        defer { lock.unlock() }
        do {
            // Expired downloads that can never complete: what they held goes to the quarantine, with the alarm.
            for kept in try folder.settleExpired(now: now) { alarmQuarantined(kept) }
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
    func hit(_ point: FaultPoint) {
        try? environment.faults.injected(point)
    }
}
