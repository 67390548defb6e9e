import Foundation
import Reconcile
import ZohoAPI

extension OrgWorker {
    /// What `plan` and `status` show: an observation and the decision, with nothing done.
    public struct Look: Sendable {
        public var remote: RemoteObservation?
        public var archive: ArchiveObservation
        /// What `run` would do now (empty when Zoho could not be observed).
        public var actions: [Action]
        /// Why Zoho could not be observed.
        public var error: OrgState.LastError?
    }

    /// Observes Zoho and the archive and decides, without acting or saving anything.
    public func look() async -> Look {
        reloadPending()   // the recorded requests decide too (state.json no longer holds them)
        let archive = observeArchive()
        guard let client = connect() else {
            return Look(remote: nil, archive: archive, actions: [], error: state.lastError)
        }
        do {
            let remote = try await observe(client)
            let actions = Reconcile.decide(Desired(policy), remote: remote, archive: archive, state: state, now: now)
            return Look(remote: remote, archive: archive, actions: actions, error: nil)
        } catch {
            return Look(remote: nil, archive: archive, actions: [],
                        error: OrgState.LastError(kind: error.kind.rawValue, message: error.description, hint: error.hint, at: now))
        }
    }
}
