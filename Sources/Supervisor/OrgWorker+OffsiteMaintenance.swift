import Foundation
import Offsite
import Policy
import Reconcile

/// The repository's upkeep, run by its copy loop when nothing is to be copied: retention
/// (`forget`, with the holds as `hold` tags), `check`, `prune`.
extension OrgWorker {
    /// The repository's retention for the org: snapshots of held backups get the `hold` tag
    /// (released ones lose it), then `restic forget` with `offsite.keep`, in the org's zone,
    /// keeping every snapshot tagged `hold`.
    func forgetOffsite(_ restic: Restic, offsite: OffsitePolicy) async {
        if offsiteState.appendOnly == true { return applyOffsite(.appendOnly(how: "known")) }
        if offsiteState.appendOnly == nil, let refused = await AppendOnlyProbe.refusesDeletes(offsite.repository, http: environment.http) {
            if refused { return applyOffsite(.appendOnly(how: "it answered a test DELETE with 403 Forbidden")) }
            offsiteState.appendOnly = false
        }
        var read = false
        do {
            let names = heldBackups()
            let held = Set(folder.backups().filter { names.contains($0.name) }.map(\.manifest.jobID))
            let snapshots = try await restic.snapshots(host: policy.name, tags: ["org=\(policy.name)"])
            read = true
            let changes = Reconcile.offsiteHoldTags(snapshots.compactMap { s in s.jobID.map { HoldTagged(id: s.id, jobID: $0, tagged: s.tags.contains("hold")) } },
                                                    held: held)
            for change in changes {
                guard let snapshot = snapshots.first(where: { $0.id == change.id }) else { continue }
                try await restic.tag(snapshot, add: change.add, "hold")
            }
            let result = try await restic.forget(host: policy.name, tags: ["org=\(policy.name)"], keep: offsite.keep, keepTag: "hold",
                                                 timeZone: policy.timeZone)
            applyOffsite(.forgot(removed: result.removed.compactMap(\.backupName), kept: result.kept.count, holdTagsChanged: changes.count,
                                 keep: offsite.keep))
        } catch {
            guard !Task.isCancelled else { return }
            // A store that refuses deletes (an S3 key that may delete only lock files, an
            // append-only server): once, remembered. Only once the repository was read in this
            // run — a revoked key or a wrong secret is refused before that, and is a failure.
            if error.kind == .accessDenied, read { return applyOffsite(.appendOnly(how: "it refused restic's deletion: \(error.message)")) }
            failed(error, jobID: nil, doing: "retention (forget)", offsite: offsite)
            if error.kind == .locked { await unlockStale(restic, offsite: offsite) }
        }
    }

    /// Frees the repository's unreferenced data (`restic prune`), for every org copying there.
    /// - Returns: whether it succeeded (logged either way).
    func pruneOffsiteRepository() async -> Bool {
        guard let offsite = policy.offsite, let restic = makeRestic(offsite, jobID: nil) else { return false }
        do {
            try await restic.prune()
            logger.notice("off-site repository \(offsite.displayRepository) pruned: data no snapshot refers to any more is freed")
            return true
        } catch {
            if !Task.isCancelled { failed(error, jobID: nil, doing: "prune", offsite: offsite) }
            if error.kind == .locked, !Task.isCancelled { await unlockStale(restic, offsite: offsite) }
            return false
        }
    }

    /// What a check found: `damage` nil when it passed.
    struct CheckResult: Sendable { var damage: String? }

    /// Checks the repository, reading `subset` of its data. - Returns: the result, or nil when
    /// the check could not run (the failure applied: reported, retried with backoff).
    func checkOffsiteRepository(subset: String) async -> CheckResult? {
        guard let offsite = policy.offsite, let restic = makeRestic(offsite, jobID: nil) else { return nil }
        do { return CheckResult(damage: try await restic.check(readDataSubset: subset)) } catch {
            if !Task.isCancelled { failed(error, jobID: nil, doing: "check", offsite: offsite) }
            if error.kind == .locked, !Task.isCancelled { await unlockStale(restic, offsite: offsite) }
            return nil
        }
    }

    /// A check's outcome for this org: the alarm raised or ended, the metric.
    func applyCheck(failure: String?, subset: String) {
        applyOffsite(.checked(failure: failure, subset: subset))
        metrics.setAlarm(kind: .offsiteCheck, raised: failure != nil)
    }
}
