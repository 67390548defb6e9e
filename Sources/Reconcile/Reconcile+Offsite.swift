import Foundation
import ZohoModel

extension Reconcile {
    /// The next off-site step: the newest backup not yet in the repository (the one a disaster
    /// needs first), unless the backoff after a failure says wait. Pure.
    public static func offsiteNext(_ backups: [LocalBackup], state: OffsiteState, now: Date) -> LocalBackup? {
        if let next = state.nextAttempt, now < next { return nil }
        return backups.filter { state.copies[$0.jobID] == nil }.max { ($0.completedAt, $0.jobID) < ($1.completedAt, $1.jobID) }
    }

    /// The repository `repository` (restic id `id`, when read) is the one copies go to: copies
    /// recorded for another address or another id are forgotten — every backup is copied
    /// again, and `required: true` keeps them meanwhile. Pure. - Returns: the state, and a
    /// warning when copies were forgotten.
    public static func offsiteRepository(_ repository: String, id: String?, state: OffsiteState, desired: Desired, now: Date) -> (OffsiteState, Report?) {
        var next = state
        let moved = state.repository.map { $0 != repository } ?? false
        let remade = id != nil && state.repositoryID != nil && id != state.repositoryID && !moved
        next.repository = repository
        if let id { next.repositoryID = id }
        if moved { next.repositoryID = id }
        guard moved || remade else { return (next, nil) }
        let count = state.copies.count
        next.copies = [:]
        next.lastCopy = nil
        next.failure = nil
        next.consecutiveFailures = 0
        next.nextAttempt = nil
        // Whether deletes are refused is the new repository's to say (probed again).
        next.appendOnly = nil
        // Another repository may hold copies of any backup: each is searched for before its copy.
        next.since = now
        next.copyStarted = nil
        let why = moved ? "offsite.repository changed" : "the repository at this address is a new one (its id changed: re-initialised or replaced)"
        guard count > 0 else { return (next, nil) }
        return (next, Report(.warning, "[\(desired.org)] \(why): the \(count) copies recorded for the old repository no longer count; every backup in the archive is copied again"))
    }

    /// Whether the repository is searched for a snapshot of `backup` before it is copied (one
    /// `restic snapshots` run): when its copy was started and not confirmed (restic may have
    /// made the snapshot before it was stopped), or when the backup completed before this
    /// record began (a lost `offsite.json`, another repository). Otherwise no copy of it can
    /// exist. Pure.
    public static func offsiteSearchFirst(_ backup: LocalBackup, state: OffsiteState) -> Bool {
        guard let since = state.since else { return true }
        return state.copyStarted == backup.jobID || backup.completedAt <= since
    }

    /// The repository's retention is due: once a day, once something was copied. Pure.
    public static func offsiteForgetDue(_ state: OffsiteState, now: Date) -> Bool {
        guard state.lastCopy != nil else { return false }
        return state.lastForget.map { now.timeIntervalSince($0) >= 86_400 } ?? true
    }

    /// A repository's prune is due: something was forgotten since the last prune, and that was
    /// a day ago or more (prune locks the repository exclusively and reads all of its index). Pure.
    public static func offsitePruneDue(lastPrune: Date?, newestForget: Date, now: Date) -> Bool {
        guard let lastPrune else { return true }
        return newestForget > lastPrune && now.timeIntervalSince(lastPrune) >= 86_400
    }

    /// A repository's check is due: never checked, or `every` since the last check. Pure.
    public static func offsiteCheckDue(lastCheck: Date?, every: Duration, now: Date) -> Bool {
        guard let lastCheck else { return true }
        return now.timeIntervalSince(lastCheck) >= Double(every.components.seconds)
    }

    /// The `hold` tags to add (true) or remove (false), by snapshot id: a snapshot of a held
    /// backup (`held`: job ids) carries the tag, which `forget --keep-tag hold` keeps; a
    /// released one loses it. Pure.
    public static func offsiteHoldTags(_ snapshots: [HoldTagged], held: Set<String>) -> [(id: String, add: Bool)] {
        snapshots.compactMap { s in
            let wanted = held.contains(s.jobID)
            return wanted == s.tagged ? nil : (s.id, wanted)
        }
    }

    /// Local backups not yet in the repository.
    public static func offsiteLag(_ backups: [LocalBackup], state: OffsiteState) -> Int {
        backups.filter { state.copies[$0.jobID] == nil }.count
    }

    /// The wait after `failures` failed attempts in a row: 1, 2, 4 … minutes, at most 6 hours.
    public static func offsiteBackoff(failures: Int) -> TimeInterval {
        min(60 * pow(2, Double(max(0, failures - 1))), 6 * 3_600)
    }

    /// What an off-site outcome does to the state and what is reported. Pure. A failure is
    /// written to the journal when it starts or changes and once an hour while it lasts;
    /// every failure is counted.
    public static func applyOffsite(_ outcome: OffsiteOutcome, to state: OffsiteState, desired: Desired, now: Date) -> (OffsiteState, [Report]) {
        var next = state
        let org = desired.org
        switch outcome {
        case .copied(let backup, let jobID, let snapshot, let added, let read, let found, let size):
            let copy = OffsiteState.Copy(backup: backup, snapshot: snapshot, copiedAt: now, bytesAdded: added)
            next.copies[jobID] = copy
            if next.copyStarted == jobID { next.copyStarted = nil }
            next.lastCopy = copy
            let recovered = state.failure.map { " (after \(state.consecutiveFailures) failed attempt\(state.consecutiveFailures == 1 ? "" : "s"): \($0.kind))" } ?? ""
            next.failure = nil
            next.consecutiveFailures = 0
            next.nextAttempt = nil
            next.bytesAdded += added ?? 0
            if let size { next.repositorySize = size }
            let what = found
                ? "was in the repository already as snapshot \(snapshot) (a copy whose confirmation was lost); recorded"
                : "copied off-site as snapshot \(snapshot): \(read.map { "\($0) bytes read, " } ?? "")\(added ?? 0) bytes added after deduplication"
            return (next, [Report(.notice, "[\(org)] backup \(backup) \(what)\(recovered)", event: .offsiteCopied, jobID: jobID,
                                  counts: [.offsiteCopied(bytesAdded: added ?? 0)], fields: ["snapshot": snapshot])])
        case .forgot(let removed, let kept, let tagsChanged, let keep):
            next.lastForget = now
            let counts = "keep { last: \(keep.last), weekly: \(keep.weekly), monthly: \(keep.monthly), yearly: \(keep.yearly) }"
            let tags = tagsChanged == 0 ? "" : "; \(tagsChanged) hold tag\(tagsChanged == 1 ? "" : "s") changed first"
            let text = removed.isEmpty
                ? "[\(org)] off-site retention (\(counts)): nothing to forget, \(kept) snapshots kept\(tags)"
                : "[\(org)] off-site retention (\(counts)) forgot the snapshots of \(removed.count) backup\(removed.count == 1 ? "" : "s") (\(removed.sorted().joined(separator: ", "))); \(kept) kept\(tags). Their data is freed by the repository's next prune"
            return (next, [Report(removed.isEmpty ? .info : .notice, text)])
        case .appendOnly(let how):
            let known = state.appendOnly == true
            next.appendOnly = true
            next.lastForget = now
            guard !known else { return (next, []) }
            let repository = desired.offsiteRepository ?? "the off-site repository"
            return (next, [Report(.notice, "[\(org)] off-site repository \(repository) is append-only (\(how)): this host adds copies but cannot delete them, so retention (offsite.keep) and prune belong to the repository's owner — run `restic forget --host \(org) --group-by host --keep-… && restic prune` where deletes are allowed. Reported once.")])
        case .started(let jobID):
            next.copyStarted = jobID
            return (next, [])
        case .checked(let failure, let subset):
            next.lastCheck = now
            next.checkFailure = failure
            let repository = desired.offsiteRepository ?? "the off-site repository"
            guard let failure else {
                let over = state.checkFailure == nil ? "" : "; the check alarm is over"
                return (next, [Report(state.checkFailure == nil ? .info : .notice, "[\(org)] off-site repository \(repository) checked (\(subset) of its data read): no errors\(over)")])
            }
            let text = "[\(org)] off-site repository \(repository) failed its check (\(subset) of its data read): \(failure). "
                + "The copies there may not restore. Run `restic -r REPO check --read-data` to see every damaged pack; `restic -r REPO repair` is not in restic 0.14: "
                + "move the damaged repository aside, `zoho-crm-backup offsite init`, and the daemon copies every archived backup again"
            return (next, [Report(.critical, text, event: .offsiteCheckFailed, counts: [.failure(.offsiteCheck)],
                                  hint: "Move the damaged repository aside, `zoho-crm-backup offsite init`, and the daemon copies every archived backup again.")])
        case .failed(let jobID, let kind, let message, let hint):
            next.consecutiveFailures += 1
            next.nextAttempt = now.addingTimeInterval(offsiteBackoff(failures: next.consecutiveFailures))
            let retry = "retried at \(ISO8601DateFormatter().string(from: next.nextAttempt ?? now))"
            let text = "[\(org)] off-site copy failed: \(message); \(retry)"
            let repeated = state.failure.map { $0.kind == kind && $0.message == message && now.timeIntervalSince($0.reportedAt) < 3_600 } ?? false
            next.failure = OffsiteState.Failure(kind: kind, message: message, hint: hint, at: now, jobID: jobID,
                                                reportedAt: repeated ? state.failure?.reportedAt ?? now : now)
            let counts: [Report.Count] = [.failure(.offsite)]
            guard !repeated else { return (next, [Report(.info, text, jobID: jobID, counts: counts)]) }
            return (next, [Report(.error, "\(text). \(hint)", event: .offsiteFailed, jobID: jobID, counts: counts, fields: ["offsite_error": kind], hint: hint)])
        }
    }
}
