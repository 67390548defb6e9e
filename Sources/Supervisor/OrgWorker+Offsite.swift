import BackupArchive
import Foundation
import Logging
import Offsite
import Policy
import Reconcile
import Systemd
import ZohoModel

extension OrgWorker {
    /// Copies the newest backup not yet in the org's off-site repository, when one is due
    /// (``Reconcile/offsiteNext(_:state:now:)``): first asks the repository for a snapshot
    /// tagged with the job (a copy whose confirmation was lost), then `restic backup`.
    /// Run by the repository's copy loop, never by the cycle: a copy never blocks a download.
    /// - Returns: whether it tried something (the loop looks again at once).
    public func copyOffsite() async -> Bool {
        guard let offsite = policy.offsite, environment.writesState, !Task.isCancelled else { return false }
        if offsiteState.repository != offsite.repository { noteRepository(offsite.repository, id: nil) }
        if !offsiteRepositoryChecked, offsiteState.nextAttempt.map({ now >= $0 }) ?? true {
            // Once a run: the repository's id, so that one made anew at the same address is noticed.
            guard let restic = makeRestic(offsite, jobID: nil) else { return true }
            do {
                noteRepository(offsite.repository, id: try await restic.repositoryID())
                offsiteRepositoryChecked = true
            } catch {
                guard !Task.isCancelled else { return false }
                failed(error, jobID: nil, doing: "reading the repository", offsite: offsite)
                if error.kind == .locked { await unlockStale(restic, offsite: offsite) }
                return true
            }
        }
        let backups = localBackups()
        metrics.setOffsiteLag(Reconcile.offsiteLag(backups, state: offsiteState))
        guard let next = Reconcile.offsiteNext(backups, state: offsiteState, now: now) else {
            // Nothing to copy: the repository's own retention, once a day.
            guard Reconcile.offsiteForgetDue(offsiteState, now: now), offsiteState.nextAttempt.map({ now >= $0 }) ?? true else { return false }
            guard let restic = makeRestic(offsite, jobID: nil) else { return true }
            await forgetOffsite(restic, offsite: offsite)
            return true
        }
        guard let restic = makeRestic(offsite, jobID: next.jobID) else { return true }
        offsiteCopying = next.name
        defer { offsiteCopying = nil }
        let tags = ["org=\(policy.name)", "job=\(next.jobID)"]
        do {
            let files = Self.files(of: folder.path + "/" + next.name)
            var partial: [ResticSnapshot] = []
            // Searched only when a snapshot of the job can exist (a copy cut short, a lost record).
            let existing = Reconcile.offsiteSearchFirst(next, state: offsiteState) ? try await restic.snapshots(host: policy.name, tags: tags) : []
            for found in existing {
                guard try await restic.holds(found, folder: next.name, files: files) else {
                    partial.append(found)
                    continue
                }
                applyOffsite(.copied(backup: next.name, jobID: next.jobID, snapshot: found.shortID, bytesAdded: nil, bytesRead: nil,
                                     found: true, repositorySize: nil))
                return true
            }
            // Snapshots of the job that lack a file (restic's exit 3): not copies; dropped (best effort).
            for snapshot in partial {
                do { try await restic.forget(snapshot) } catch {
                    logger.warning("snapshot \(snapshot.shortID) of backup \(next.name) lacks files and is not counted; it could not be forgotten: \(error.message)")
                }
            }
            let faults = environment.faults
            applyOffsite(.started(jobID: next.jobID))
            let summary = try await restic.backup(folder: next.name, in: folder.path, host: policy.name, tags: tags, time: next.completedAt,
                                                  started: { try? faults.injected(.offsiteMidCopy) })
            hit(.offsiteBeforeRecord)
            applyOffsite(.copied(backup: next.name, jobID: next.jobID, snapshot: summary.snapshotID, bytesAdded: summary.dataAdded,
                                 bytesRead: summary.totalBytesProcessed, found: false, repositorySize: nil))
        } catch {
            // Stopped (shutdown, reload): not a failure; the copy is tried again, and found by its tag if restic finished.
            if Task.isCancelled {
                logger.info("off-site copy of backup \(next.name) stopped; it is tried again", metadata: [LogField.jobIDKey: .string(next.jobID)])
                return false
            }
            failed(error, jobID: next.jobID, doing: "backup \(next.name)", offsite: offsite)
            if error.kind == .locked { await unlockStale(restic, offsite: offsite) }
        }
        return true
    }

    /// After a lock refused a copy: `restic unlock` removes the lock if it is stale (its restic
    /// gone from this host, or 30 minutes old); a live one stays, and the retry waits for it.
    func unlockStale(_ restic: Restic, offsite: OffsitePolicy) async {
        do {
            try await restic.unlockStale()
            logger.notice("ran `restic unlock` on \(offsite.displayRepository): stale locks (of a restic that is gone, or 30 minutes old) are removed, a live one stays; the copy is retried")
        } catch {
            logger.warning("`restic unlock` on \(offsite.displayRepository) failed: \(error.message)")
        }
    }

    /// The org's restic, its secrets read now; nil after the failure is applied.
    func makeRestic(_ offsite: OffsitePolicy, jobID: String?) -> Restic? {
        var restic: Restic
        do { restic = try Self.restic(for: offsite, secrets: SecretLookup(environment.credentials), stateDir: storeStateDir, org: policy.name) } catch {
            applyOffsite(.failed(jobID: jobID, kind: "secret", message: error.description,
                                 hint: "Fix the secret file (`zoho-crm-backup check` shows what is wrong); the copy is retried."))
            return nil
        }
        if let limit = environment.resticTimeLimit {
            restic.quickTimeout = limit
            restic.longTimeout = limit
        }
        if let cache = restic.cacheDir {
            // restic treats its cache as best effort, but on a full disk it retries every
            // write for a minute or two per file: a copy would crawl for hours. Without the
            // cache it reads the repository's index from the store instead — slower, correct.
            let free = DiskSpace.available(at: FileManager.default.fileExists(atPath: cache) ? cache : storeStateDir)
            let full = free.map { $0 < Self.resticCacheFloor } ?? false
            if full { restic.cacheDir = nil }
            noteCache(full: full, at: cache, free: free)
        }
        return restic
    }

    /// A restic failure while `doing` something, applied with its class and fix.
    func failed(_ error: ResticError, jobID: String?, doing: String, offsite: OffsitePolicy) {
        applyOffsite(.failed(jobID: jobID, kind: error.kind.rawValue, message: "\(doing) to \(offsite.displayRepository): \(error.message)",
                             hint: error.hint(repository: offsite.displayRepository)))
    }

    /// What retention keeps for the off-site copy: the backup being copied, and with
    /// `required: true` every backup not yet in the repository.
    func offsiteKept() -> [String: String] {
        Self.offsiteKept(backups: folder.backups(), offsite: policy.offsite, state: offsiteState, copying: offsiteCopying)
    }

    /// ``offsiteKept()`` for `backups`, the org's `offsite`, its copies and the one being copied.
    static func offsiteKept(backups: [ArchivedBackup], offsite: OffsitePolicy?, state: OffsiteState, copying: String?) -> [String: String] {
        guard let offsite else { return [:] }
        var kept: [String: String] = [:]
        if offsite.required {
            for backup in backups where state.copies[backup.manifest.jobID] == nil { kept[backup.name] = "kept — not yet off-site" }
        }
        if let copying { kept[copying] = "kept — being copied off-site" }
        return kept
    }

    /// A download found the disk too full while `offsite.required` keeps backups beyond
    /// `keep` that are not off-site: the new download wins. Retention runs as it would without
    /// `required` (holds, and the backup being copied, still kept), each removal an error;
    /// the download is tried again next cycle. Called under the archive's lock.
    func makeRoomForDownload() {
        guard policy.offsite?.required == true else { return }
        let copying = offsiteCopying.map { [$0: "kept — being copied off-site"] } ?? [:]
        do {
            let outcomes = try folder.prune(keep: policy.archive.keep, timeZone: policy.timeZone, now: now, dryRun: false, kept: copying)
            let removed = outcomes.filter { !$0.decision.keep }
                .map { Outcome.Pruned(backup: $0.backup, jobID: $0.jobID, reasons: $0.decision.reasons) }
            // Those already off-site were due to go anyway: ordinary retention.
            let copied = removed.filter { offsiteState.copies[$0.jobID] != nil }
            let lost = removed.filter { offsiteState.copies[$0.jobID] == nil }
            if !copied.isEmpty { _ = apply(.pruned(removed: copied)) }
            if !lost.isEmpty { _ = apply(.removedNotOffsite(removed: lost)) }
        } catch {
            _ = apply(.problem(Self.failure(error, jobID: nil), countedAs: nil))
        }
    }

    /// The regular files of a backup folder with their sizes.
    static func files(of folder: String) -> [String: Int64] {
        var files: [String: Int64] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            var info = stat()
            if lstat(folder + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFREG { files[name] = Int64(info.st_size) }
        }
        return files
    }

    /// Records the repository copies go to (``Reconcile/offsiteRepository(_:id:state:desired:)``).
    private func noteRepository(_ repository: String, id: String?) {
        let (next, report) = Reconcile.offsiteRepository(repository, id: id, state: offsiteState, desired: Desired(policy), now: now)
        guard next != offsiteState else { return }
        offsiteState = next
        do { try store.saveOffsite(offsiteState) } catch {
            logger.error("could not save \(store.offsitePath): \(error); check the state folder's owner and free space")
        }
        if let report { carryOut(report) }
    }

    /// The archive's backups as the off-site decision sees them.
    func localBackups() -> [LocalBackup] {
        folder.backups().map { LocalBackup(name: $0.name, jobID: $0.manifest.jobID, completedAt: $0.manifest.completedAt) }
    }

    /// Applies an off-site outcome (``Reconcile/applyOffsite(_:to:desired:now:)``), saves
    /// `offsite.json` and carries out the reports.
    func applyOffsite(_ outcome: OffsiteOutcome) {
        let (next, reports) = Reconcile.applyOffsite(outcome, to: offsiteState, desired: Desired(policy), now: now)
        offsiteState = next
        // A copy's start changes neither the copies nor the lag: the archive's manifests are not read for it.
        let started: Bool = if case .started = outcome { true } else { false }
        // Records of backups no longer in the archive are dropped (the newest copy stays as lastCopy).
        let backups = started ? [] : localBackups()   // read once: every manifest of the archive
        if !started {
            let local = Set(backups.map(\.jobID))
            offsiteState.copies = offsiteState.copies.filter { local.contains($0.key) }
        }
        for report in reports { carryOut(report) }   // alerts in the outbox before the state is saved
        do { try store.saveOffsite(offsiteState) } catch {
            logger.error("could not save \(store.offsitePath): \(error); check the state folder's owner and free space (the copy is found in the repository again by its job tag)")
        }
        if case .copied = outcome, policy.offsite?.required == true {
            // A backup kept only because it was not off-site may go now.
            state.pruneDue = true
            saveState()
        }
        if !started { metrics.setOffsiteLag(Reconcile.offsiteLag(backups, state: offsiteState)) }
    }

    /// The org's restic: its repository, the password secret's file, the environment
    /// secret's variables, the cache under the state folder.
    /// - Throws: ``CredentialsError`` when a secret cannot be used.
    static func restic(for offsite: OffsitePolicy, secrets: SecretLookup, stateDir: String?, org: String) throws(CredentialsError) -> Restic {
        let password = try secrets.load(offsite.passwordSecret, purpose: "the off-site repository password of org \(org)")
        var variables: [String: String] = [:]
        if let name = offsite.environmentSecret {
            variables = try EnvironmentSecret.parse(secrets.load(name, purpose: "restic's environment for org \(org)"))
        }
        return Restic(executable: offsite.restic ?? "restic", repository: offsite.repository, passwordFile: password.path,
                      environment: variables, cacheDir: stateDir.map { $0 + "/restic-cache" })
    }

    /// The saved off-site state, or a fresh one (an unreadable file costs one `restic
    /// snapshots` per backup: copies are found by their job tag).
    static func loadOffsite(_ store: StateStore, logger: Logger, now: Date) -> OffsiteState {
        var state: OffsiteState
        do { state = try store.readOffsite() ?? OffsiteState() } catch {
            logger.warning("\(store.offsitePath) could not be read (\(error)); starting afresh: each backup's snapshot is looked up in the repository by its job tag before any copy")
            state = OffsiteState()
        }
        // A record begins now: backups completed before it are searched for before their copy.
        if state.since == nil { state.since = now }
        return state
    }
}
