import AsyncHTTPClient
import BackupArchive
import Foundation
import Logging
import Policy
import Reconcile
import Systemd
import ZohoAPI
import ZohoModel

/// One org's loop body: observe Zoho and the archive, decide with ``Reconcile``, carry out
/// the actions, save the state. One cycle at a time; the supervisor runs one worker per org.
public actor OrgWorker {
    public let policy: OrgPolicy
    let environment: SupervisorEnvironment
    let store: StateStore
    let folder: ArchiveFolder
    let slots: DownloadSlots
    let metrics: OrgMetrics
    var logger: Logger
    var client: ZohoClient?
    /// The credentials the client was made from (a changed file makes a new client).
    var clientCredentials: Credentials?
    public internal(set) var state: OrgState
    public internal(set) var snapshot: OrgSnapshot
    /// The last `wait` reason logged, so a long wait is logged once, not every cycle.
    var lastWaitLogged: WaitReason?
    /// The last error logged, so a persisting error is logged at its start and then every hour.
    var lastErrorLogged: (text: String, at: Date)?
    /// Complete downloads left in `.partial/` by a crash were committed (once, at start).
    var recoveredPartials = false
    /// The newest backup's record index was checked (and built if missing) at start.
    var indexChecked = false
    /// An unconfirmed POST found in an older `state.json`: it stands while `pending-post.json`
    /// is absent (a migration that failed, or a command, which does not migrate).
    let legacyPending: OrgState.PendingPost?
    /// The recorded requests could not be read at the last look: no request is sent to Zoho.
    var requestsUnreadable = false
    /// The archive as this cycle read it (once, for ``Reconcile/decide(_:remote:archive:state:now:)``),
    /// kept up to date with what the cycle archives; nil before the first read.
    var archiveSeen: ArchiveObservation?
    /// The org's off-site copies (`offsite.json`); changed only by ``applyOffsite(_:)``.
    public internal(set) var offsiteState: OffsiteState
    /// The backup restic is copying now: retention keeps it until the copy ends.
    var offsiteCopying: String?
    /// The repository's id was read in this run (``Reconcile/offsiteRepository(_:id:state:desired:)``).
    var offsiteRepositoryChecked = false
    /// restic runs without its cache: the state folder's disk is below ``OrgWorker/resticCacheFloor``.
    var offsiteWithoutCache = false
    /// Where the org's alerts go; nil: nowhere but the journal (a command's engine).
    let alerts: AlertQueue?

    /// - Parameter stateDir: the policy's `state_dir`.
    public init(policy: OrgPolicy, stateDir: String, environment: SupervisorEnvironment, slots: DownloadSlots) {
        self.init(policy: policy, stateDir: stateDir, environment: environment, slots: slots, alerts: nil)
    }

    init(policy: OrgPolicy, stateDir: String, environment: SupervisorEnvironment, slots: DownloadSlots, alerts: AlertQueue?) {
        self.alerts = alerts
        let store = StateStore(stateDir: stateDir, org: policy.name, faults: environment.faults)
        var logger = environment.logger
        logger[metadataKey: LogField.orgKey] = .string(policy.name)
        let loaded = Self.loadState(store, now: environment.clock.date, logger: logger, org: policy.name, migrate: environment.writesState)
        self.state = loaded
        legacyPending = loaded.pendingPost
        offsiteState = Self.loadOffsite(store, logger: logger, now: environment.clock.date)
        self.policy = policy
        self.environment = environment
        self.slots = slots
        self.store = store
        self.logger = logger
        var folder = ArchiveFolder(path: policy.archive.path, org: policy.name, minFree: policy.archive.minFree,
                               faults: environment.faults, verifyParallelism: environment.verifyParallelism,
                               clock: environment.clock, logger: logger)
        folder.lanes = environment.verifyLanes
        folder.checker = environment.entryChecker
        self.folder = folder
        metrics = environment.metrics.org(policy.name)
        snapshot = OrgSnapshot(org: policy.name)
    }

    /// The saved state, or a fresh one. An unreadable state costs nothing that matters (see
    /// ``OrgState``): start afresh and say so. (The recorded requests are not part of it:
    /// ``reloadPending()`` reads them, and an unreadable one blocks every request.)
    /// `migrate`: move an older `state.json`'s unconfirmed POST into its own file (the daemon only).
    static func loadState(_ store: StateStore, now: Date, logger: Logger, org: String, migrate: Bool) -> OrgState {
        do {
            let state = try store.read() ?? OrgState(watchingSince: now)
            do { if migrate { try store.migratePending(state) } } catch {
                logger.error("could not move the unconfirmed request of \(store.statePath) into \(store.pendingPath): \(error). Check the state folder's owner; no request is sent before an observation shows whether it took effect.")
            }
            return state
        } catch {
            logger.warning("\(store.statePath) could not be read (\(error)); starting with a fresh state. Archived and pruned jobs are still known from the archive.")
            return OrgState(watchingSince: now)
        }
    }

    var now: Date { environment.clock.date }

    /// The error kind of a backup lost to expired links.
    static let linksExpiredKind = OrgState.linksExpiredKind

    /// One cycle. - Returns: how long to wait before the next one (after the cycle's outcome
    /// is counted, so the first good cycle after errors is not still backed off).
    @discardableResult
    public func cycle() async -> Duration {
        let (failed, busy) = await work()
        finishCycle(failed: failed)
        if Task.isCancelled { return .zero }
        return PollSchedule.delay(pollInterval: policy.pollInterval, busy: busy, consecutiveFailures: state.consecutiveFailures,
                                  jitter: environment.jitter())
    }

    /// Observes, decides and acts. - Returns: whether something failed, and whether the org
    /// is busy (a job runs, links wait, a request is unconfirmed) and is looked at again soon.
    func work() async -> (failed: Bool, busy: Bool) {
        if !recoveredPartials { recoveredPartials = await commitCompletePartials() }
        if recoveredPartials && !indexChecked && environment.writesState { indexChecked = await indexNewestBackup() }
        archiveSeen = nil
        reloadPending()
        guard let client = connect() else { return (true, false) }
        let remote: RemoteObservation
        do {
            remote = try await observe(client)
        } catch {
            _ = apply(.problem(Self.failure(error), countedAs: .zoho))
            return (true, false)
        }
        if Task.isCancelled { return (false, false) }
        state.lastObservation = remote
        snapshot.nextBackup = remote.job?.isActiveRecurring == true ? remote.job?.scheduledDate : nil
        let archive = observeArchive()
        archiveSeen = archive
        let actions = Reconcile.decide(Desired(policy), remote: remote, archive: archive, state: state, now: now)
        snapshot.lastActions = actions
        let ok = await execute(actions, remote: remote, client: client)
        return (!ok || requestsUnreadable, Reconcile.isBusy(remote: remote, state: state, actions: actions))
    }

    /// The org's Zoho client, made from its credentials file (read each cycle, so a fixed file
    /// is picked up without a restart); nil after logging why there is none.
    func connect() -> ZohoClient? {
        let credentials: Credentials
        do {
            credentials = try environment.credentials.load(policy.credentials, org: policy.name)
        } catch {
            let underSystemd = environment.credentials.environment["CREDENTIALS_DIRECTORY"] != nil
            let hint = underSystemd
                ? "Fix the file in /etc/zoho-crm-backup/credentials/ (zoho-crm-backup check shows what is wrong), then `systemctl restart zoho-crm-backup`: systemd hands credentials to the service when it starts."
                : "Fix the credentials file (zoho-crm-backup check shows what is wrong); the daemon reads it again at every poll."
            _ = apply(.problem(Outcome.Failure(.credentials, name: "credentials", message: "[\(policy.name)] \(error.description)", hint: hint),
                               countedAs: nil))
            client = nil
            return nil
        }
        if let client, clientCredentials == credentials { return client }
        let made = OrgConnection.client(for: policy, credentials: credentials, stateDir: storeStateDir,
                                        http: environment.http, clock: environment.clock, logger: logger)
        client = made
        clientCredentials = credentials
        return made
    }

    var storeStateDir: String { URL(fileURLWithPath: store.folder).deletingLastPathComponent().path }

    func observe(_ client: ZohoClient) async throws(ZohoError) -> RemoteObservation {
        let job = try await client.backupInfo()
        let urls = try await client.downloadURLs()
        return RemoteObservation(job: job, urls: urls, observedAt: now)
    }

    /// Job ids archived or pruned, downloads in `.partial/`, the newest backup.
    func observeArchive() -> ArchiveObservation {
        let backups = folder.backups()
        var known = Set(backups.map(\.manifest.jobID))
        known.formUnion(PrunedJobs.load(archive: folder.path).pruned.map(\.jobID))
        let newest = backups.max { ($0.manifest.completedAt, $0.manifest.jobID) < ($1.manifest.completedAt, $1.manifest.jobID) }
        return ArchiveObservation(knownJobs: known, partialJobs: folder.partialJobs(), completeJobs: folder.completePartialJobs(),
                                  newestBackup: newest?.manifest.completedAt, newestJobID: newest?.manifest.jobID, heldBackups: heldBackups())
    }

    func finishCycle(failed: Bool) {
        if Task.isCancelled {
            // Stopped (shutdown or reload): not a failure; what was done is saved, the rest resumes.
            snapshot.downloading = nil
            saveState()
            return
        }
        if failed {
            state.consecutiveFailures += 1
        } else {
            state.consecutiveFailures = 0
            // A lost backup stays the headline until a newer backup is archived.
            if state.lastError?.kind != Self.linksExpiredKind { state.lastError = nil }
            state.lastSuccess = now
            lastErrorLogged = nil
        }
        snapshot.failing = failed
        snapshot.downloading = nil
        updateFreshnessMetrics()
        saveState()
    }

    /// The recorded requests as on disk: `now` records its requests there while the daemon
    /// runs. - Returns: false when they cannot be read — reported, and no request is sent to
    /// Zoho until they can (an unreadable record may be an unconfirmed POST).
    @discardableResult
    func reloadPending() -> Bool {
        do {
            state.pendingPost = try store.readPending() ?? legacyPending
            state.immediateRequest = try store.readImmediate()
            requestsUnreadable = false
            return true
        } catch {
            requestsUnreadable = true
            _ = apply(.problem(Outcome.Failure(.other, name: "stateFolder",
                                               message: "[\(policy.name)] the recorded backup requests in \(store.folder) cannot be read (\(error)); no request is sent to Zoho until they can",
                                               hint: "Check the owner and mode of pending-post.json and immediate-request.json there (the service user's, 0600); a file that does not parse can be removed once `zoho-crm-backup history` shows what Zoho did."),
                               countedAs: nil))
            return false
        }
    }

    /// Whether the recorded requests on disk are still what this engine decided with (read
    /// under the org's lock, just before a request): `now` may have recorded one meanwhile.
    func requestsUnchanged() -> Bool {
        do {
            return try store.readPending() == state.pendingPost && store.readImmediate() == state.immediateRequest
        } catch {
            return false   // unreadable now: nothing is sent
        }
    }

    /// Saves `state.json` — in the daemon only: it is the file's one writer (a command's
    /// engine records only its requests, in `pending-post.json` and `immediate-request.json`).
    func saveState() {
        guard environment.writesState else { return }
        do { try store.save(state) } catch {
            logger.error("could not save \(store.statePath): \(error); check the state folder's owner and free space")
        }
    }
}
