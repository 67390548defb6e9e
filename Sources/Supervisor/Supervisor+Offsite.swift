import Foundation
import Policy
import Reconcile

extension Supervisor {
    /// One pass of off-site copies into `repository`: each org copying there, in turn, copies
    /// its newest backup not yet there (``OrgWorker/copyOffsite()``).
    /// - Returns: whether any org tried a copy (the loop then looks again at once).
    @discardableResult
    public func copyOffsite(repository: String) async -> Bool {
        var tried = false
        for org in policy.orgs where org.offsite?.repository == repository && !Task.isCancelled {
            if let worker = workers[org.name], await worker.copyOffsite() { tried = true }
        }
        // A damaged repository is found before anything is pruned from it.
        if !tried, !Task.isCancelled { tried = await checkOffsite(repository: repository) }
        if !tried, !Task.isCancelled { tried = await pruneOffsite(repository: repository) }
        return tried
    }

    /// `restic check --read-data-subset` once per repository every `offsite.check.every`
    /// (the first org's settings): the outcome goes to every org copying there — damage is a
    /// critical alarm (journal, metric, `status` exit 1) until a later check passes.
    /// - Returns: whether it ran.
    func checkOffsite(repository: String) async -> Bool {
        let orgs = policy.orgs.filter { $0.offsite?.repository == repository }
        guard let first = orgs.first, let check = first.offsite?.check, let worker = workers[first.name] else { return false }
        let store = OffsiteRepositories(stateDir: policy.stateDir)
        let now = environment.clock.date
        // After a failure (the check could not run), the org's backoff applies.
        guard await worker.offsiteState.lastCopy != nil, await worker.offsiteState.nextAttempt.map({ now >= $0 }) ?? true,
              Reconcile.offsiteCheckDue(lastCheck: store.last(.check, repository), every: check.every, now: now) else { return false }
        let subset = OffsiteCheckSubset.text(check.readDataSubset)
        guard let failure = await worker.checkOffsiteRepository(subset: subset) else { return true }   // could not run: reported, retried
        store.record(.check, repository, at: now, logger: environment.logger)
        for org in orgs { await workers[org.name]?.applyCheck(failure: failure.damage, subset: subset) }
        return true
    }

    /// `restic prune` once per repository, at most daily, after its orgs' retention forgot
    /// something since the last prune. - Returns: whether it ran.
    func pruneOffsite(repository: String) async -> Bool {
        let orgs = policy.orgs.filter { $0.offsite?.repository == repository }.compactMap { workers[$0.name] }
        var newestForget: Date?
        for worker in orgs {
            if let forgot = await worker.offsiteState.lastForget, newestForget.map({ forgot > $0 }) ?? true { newestForget = forgot }
        }
        let store = OffsiteRepositories(stateDir: policy.stateDir)
        let now = environment.clock.date
        guard let newestForget, let first = orgs.first, await first.offsiteState.nextAttempt.map({ now >= $0 }) ?? true,
              await first.offsiteState.appendOnly != true,
              Reconcile.offsitePruneDue(lastPrune: store.last(.prune, repository), newestForget: newestForget, now: now) else { return false }
        if await first.pruneOffsiteRepository() { store.record(.prune, repository, at: now, logger: environment.logger) }
        return true
    }

    /// Every repository's pass, until no org has a copy due (tests; the daemon runs loops).
    public func copyOffsiteUntilIdle() async {
        for repository in Set(policy.orgs.compactMap { $0.offsite?.repository }).sorted() {
            while await copyOffsite(repository: repository) {}
        }
    }

    /// Stops every copy loop and waits for it (a running restic is stopped with SIGINT).
    func stopOffsiteLoops() async {
        let running = offsiteLoops
        offsiteLoops = [:]
        for (_, task) in running { task.cancel() }
        for (_, task) in running { await task.value }
    }

    /// Starts a copy loop for each repository the policy names, stops those it no longer names.
    /// A loop copies while copies are due, then looks again after its orgs' shortest poll
    /// interval (at most a minute); it never blocks a cycle, so a slow or failing repository
    /// never delays a download.
    func startOffsiteLoops() {
        let repositories = Set(policy.orgs.compactMap { $0.offsite?.repository })
        for (repository, task) in offsiteLoops where !repositories.contains(repository) {
            task.cancel()
            offsiteLoops[repository] = nil
        }
        let clock = environment.clock
        for repository in repositories where offsiteLoops[repository] == nil {
            let pause = min(.seconds(60), policy.orgs.filter { $0.offsite?.repository == repository }.map(\.pollInterval).min() ?? .seconds(60))
            offsiteLoops[repository] = Task {
                while !Task.isCancelled {
                    if await self.copyOffsite(repository: repository) { continue }
                    do { try await clock.sleep(for: pause) } catch { return }
                }
            }
        }
    }
}
