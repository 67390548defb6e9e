import Foundation
import Reconcile
import ZohoAPI
import ZohoModel

/// Changes to Zoho's schedule and the recorded requests (`pending-post.json`,
/// `immediate-request.json`), always under the org's lock.
extension OrgWorker {
    /// POSTs `rule`, recording the intent first so that a crash or an unanswered request
    /// never leads to a second POST before an observation; what comes of it is
    /// ``Reconcile/apply(_:to:desired:now:)``'s to decide. - Returns: false on failure.
    func post(_ rule: RRule, jobBefore: String?, client: ZohoClient) async -> Bool {
        hit(.postBeforeLock)
        return await withZohoChangeLock(for: "schedule \(rule.normalized)") {
            await send(rule, jobBefore: jobBefore, client: client) != nil
        }
    }

    /// Runs `change` holding the org's lock, if the recorded requests are still what this cycle
    /// decided with; when `now` recorded one since, the change waits for the next cycle,
    /// which decides with it. - Returns: `change`'s result; false when the lock was not had;
    /// true when postponed.
    func withZohoChangeLock(for work: String, _ change: () async -> Bool) async -> Bool {
        guard let lock = await takeLock(for: work) else { return false }
        defer { lock.unlock() }
        guard requestsUnchanged() else {
            logger.info("\(work) postponed: a request was recorded since this cycle looked")
            reloadPending()
            return true
        }
        return await change()
    }

    /// Records the intent, POSTs and applies the outcome; the caller holds the org's lock.
    /// Nothing is sent when the intent cannot be recorded. - Returns: the new job's id; nil on failure.
    func send(_ rule: RRule?, jobBefore: String?, linksJobBefore: String? = nil, client: ZohoClient) async -> String? {
        let next = Reconcile.beforePost(rule: rule?.normalized, jobBefore: jobBefore, linksJobBefore: linksJobBefore, to: state, now: now)
        do {
            try store.writePending(next.pendingPost)
        } catch {
            _ = apply(.problem(Outcome.Failure(.other, name: "stateFolder",
                                               message: "[\(policy.name)] could not record the backup request in \(store.pendingPath) (\(error)); nothing was sent to Zoho",
                                               hint: "Check the state folder's owner and free space; the request is sent once it can be recorded."), countedAs: nil))
            return nil
        }
        state = next
        saveState()
        hit(.postBeforeSend)
        do {
            let id = try await client.schedule(rule)
            hit(.postAfterSend)
            _ = apply(.postAccepted(rule: rule?.normalized, jobID: id))
            return id
        } catch {
            _ = apply(.postFailed(rule: rule?.normalized, Self.failure(error)))
            return nil
        }
    }

    /// Carries out a request's bookkeeping (``Reconcile/record(_:in:)``): in memory, and on
    /// disk when the org's lock is free (a `now` may hold it; the next cycle does it then).
    func recordRequests(_ action: Action) {
        guard let lock = try? FileLock.tryAcquire(store.lockPath) else {
            state = Reconcile.record(action, in: state)
            return
        }
        defer { lock.unlock() }
        recordRequestsHoldingLock(action)
    }

    /// ``recordRequests(_:)`` when the caller holds the org's lock.
    func recordRequestsHoldingLock(_ action: Action) {
        let next = Reconcile.record(action, in: state)
        persistRequests(from: state, to: next)
        state = next
    }

    /// Writes the recorded requests that changed from `old` to `new` — only where the file
    /// still holds `old` (a `now` may have recorded a newer one). The caller holds the lock.
    func persistRequests(from old: OrgState, to new: OrgState) {
        do {
            // The confirmed request first: a crash or a failed write between the two leaves the
            // unconfirmed one in place, confirmed again at the next observation — never neither.
            if old.immediateRequest != new.immediateRequest, try store.readImmediate() == old.immediateRequest {
                try store.writeImmediate(new.immediateRequest)
            }
            if old.pendingPost != new.pendingPost, try store.readPending() == old.pendingPost { try store.writePending(new.pendingPost) }
        } catch {
            logger.warning("could not update the recorded requests in \(store.folder): \(error); they are settled again at the next observation")
        }
    }

    /// Cancels a recurring schedule. - Returns: false on failure.
    func cancel(jobID: String, rule: String?, client: ZohoClient) async -> Bool {
        await withZohoChangeLock(for: "cancel job \(jobID)") {
            await cancelHoldingLock(jobID: jobID, rule: rule, client: client)
        }
    }

    /// Cancels a recurring schedule and applies the outcome; the caller holds the org's lock.
    func cancelHoldingLock(jobID: String, rule: String?, client: ZohoClient) async -> Bool {
        do {
            try await client.cancel(jobID: jobID)
            hit(.cancelAfterSend)
            return apply(.cancelled(jobID: jobID, rule: rule, already: false))
        } catch where error.kind == .alreadyCancelled {
            return apply(.cancelled(jobID: jobID, rule: rule, already: true))
        } catch {
            return apply(.cancelFailed(jobID: jobID, Self.failure(error)))
        }
    }
}
