import BackupArchive
import Foundation
import Logging
import Policy
import ServiceLifecycle
import Systemd
import UnixSignals
import ZohoModel

/// The daemon: one loop per org, the global download bound, reload, systemd notifications
/// and the metrics textfile.
///
/// Tests drive it cycle by cycle with ``cycleAll()`` on a clock they advance; `run` runs it
/// as a swift-service-lifecycle `Service` (SIGTERM/SIGINT stop it gracefully, SIGHUP reloads).
public actor Supervisor: Service {
    public private(set) var policy: Policy
    let environment: SupervisorEnvironment
    let notifier: Notifier
    let slots: DownloadSlots
    /// Reads the policy file again on reload (injected so tests can use their own loader).
    let loader: PolicyLoader
    var workers: [String: OrgWorker] = [:]
    /// The alerts' outbox and sender (``run()`` runs the sender).
    public let alerts: AlertQueue
    /// When the `heartbeat:` check was last pinged, and whether a ping is in flight.
    var lastHeartbeat: Date?
    var heartbeatInFlight = false
    var heartbeatError: String?
    /// When each destination last had the daily digest (`<state_dir>/digest.json`), once read.
    var digestSent: [String: Date]?
    /// Each org's loop while ``run()`` runs. Owned by `run()`: every one is cancelled and
    /// awaited before it returns, so none outlives the daemon (an org's loop must be
    /// stoppable on its own when a reload removes or changes the org, which a task group's
    /// children are not).
    var loops: [String: Task<Void, Never>] = [:]
    /// One copy loop per off-site repository: copies into one repository run one at a time.
    var offsiteLoops: [String: Task<Void, Never>] = [:]
    var running = false
    var lastStatusLine: String?
    var metricsErrorLogged = false
    /// When the metrics textfile was last written.
    var lastMetricsWrite: ContinuousClock.Instant?
    /// A cycle ended since the metrics file was last written.
    var metricsPending = false
    /// When the metrics file and `STATUS=` were last refreshed.
    var lastRefresh: ContinuousClock.Instant?

    public init(policy: Policy, environment: SupervisorEnvironment, notifier: Notifier = Notifier(),
                loader: PolicyLoader = PolicyLoader()) {
        self.policy = policy
        self.alerts = AlertQueue(policy: policy, environment: environment)
        self.environment = environment
        self.notifier = notifier
        self.loader = loader
        let slots = DownloadSlots(limit: policy.parallelDownloads)
        self.slots = slots
        for org in policy.orgs {
            workers[org.name] = OrgWorker(policy: org, stateDir: policy.stateDir, environment: environment, slots: slots, alerts: alerts)
        }
    }

    /// The worker of org `name`.
    public func worker(_ name: String) -> OrgWorker? { workers[name] }

    /// One cycle of every org at once (tests, `demo`); returns when all are done.
    public func cycleAll() async {
        let all = policy.orgs.compactMap { workers[$0.name] }
        await withTaskGroup(of: Void.self) { group in
            for worker in all { group.addTask { await worker.cycle() } }
        }
        writeMetrics()
    }

    // MARK: - Reload

    /// What a reload changed.
    public struct ReloadSummary: Sendable, Equatable {
        public var added: [String] = []
        public var removed: [String] = []
        public var changed: [String] = []
    }

    /// Puts `newPolicy` in force: orgs added, removed or changed get their loops started,
    /// stopped (at a resumable point) or restarted; the others go on untouched.
    @discardableResult
    public func reload(_ newPolicy: Policy) async -> ReloadSummary {
        var summary = ReloadSummary()
        let stateMoved = newPolicy.stateDir != policy.stateDir
        let old = Dictionary(policy.orgs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(newPolicy.orgs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in old.keys where new[name] == nil { summary.removed.append(name) }
        for org in newPolicy.orgs {
            if old[org.name] == nil { summary.added.append(org.name) } else if stateMoved || old[org.name] != org { summary.changed.append(org.name) }
        }
        // A copy in flight belongs to the old worker: stopped before it is replaced, so the new
        // one never prunes a folder restic still reads, and offsite.json has one writer.
        let copying = (summary.removed + summary.changed).contains { old[$0]?.offsite != nil }
        if copying { await stopOffsiteLoops() }
        for name in summary.removed + summary.changed {
            await stopLoop(name)
            workers[name] = nil
        }
        if stateMoved {
            environment.logger.warning("state_dir moved to \(newPolicy.stateDir): alerts keep their outbox in \(alerts.outbox.folder) until the daemon restarts; restart it, and move what is left in that folder to \(newPolicy.stateDir)/outbox")
        }
        policy = newPolicy
        await slots.setLimit(newPolicy.parallelDownloads)
        await alerts.sender.setDestinations(AlertQueue.destinations(newPolicy))
        logSendmailProblems()
        for name in summary.added + summary.changed {
            guard let org = newPolicy.org(name) else { continue }
            let worker = OrgWorker(policy: org, stateDir: newPolicy.stateDir, environment: environment, slots: slots, alerts: alerts)
            workers[name] = worker
            if running { startLoop(worker, first: true) }
        }
        if running { startOffsiteLoops() }
        summary.added.sort(); summary.removed.sort(); summary.changed.sort()
        environment.logger.notice("policy reloaded from \(newPolicy.file): \(newPolicy.orgs.count) orgs; added: \(list(summary.added)), removed: \(list(summary.removed)), changed: \(list(summary.changed))")
        return summary
    }

    private func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }

    /// Reads the policy file again (SIGHUP). An invalid file is reported with its
    /// file:line:col errors and the policy in force stays.
    /// - Returns: true when the new policy is in force.
    @discardableResult
    public func reloadFromFile() async -> Bool {
        notifier.reloading()
        defer { notifier.ready(status: lastStatusLine) }
        switch await Self.load(policy.file, with: loader, faults: environment.faults) {
        case .success(let newPolicy):
            await reload(newPolicy)
            return true
        case .failure(let error):
            environment.logger.error("policy reload failed; the policy in force stays unchanged. Fix these and reload again (`zoho-crm-backup check` shows them too):\n\(error.description)")
            return false
        }
    }

    /// Reads and checks the policy file on a thread of its own, off this actor and off the
    /// cooperative pool: however long a file takes, the heartbeat keeps sending `WATCHDOG=1`
    /// and the orgs keep working with the policy in force.
    static func load(_ file: String, with loader: PolicyLoader, faults: FaultPoints) async -> Result<Policy, PolicyError> {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                try? faults.injected(.reloadParse)
                continuation.resume(returning: Result { () throws(PolicyError) -> Policy in try loader.load(path: file) })
            }
            thread.name = "policy-reload"
            thread.start()
        }
    }

    // MARK: - The daemon

    /// Runs every org's loop until a graceful shutdown (SIGTERM, SIGINT) or cancellation;
    /// reloads on SIGHUP; keeps `STATUS=` current and sends `WATCHDOG=1` while it turns.
    public func run() async throws {
        running = true
        for org in policy.orgs { if let worker = workers[org.name] { startLoop(worker, first: true) } }
        startOffsiteLoops()
        if policy.orgs.isEmpty {
            environment.logger.warning("no orgs configured in \(policy.file); add one and reload (systemctl reload zoho-crm-backup)")
        }
        refreshStatus()
        notifier.ready(status: lastStatusLine)
        environment.logger.notice("zoho-crm-backup \(ToolInfo.version) started: \(policy.orgs.count) orgs from \(policy.file), state in \(policy.stateDir)",
                                  metadata: MessageID.daemonStarted.metadata)
        postDaemonEvent(started: true)
        logSendmailProblems()
        let sender = alerts.sender
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in hangups { await self.reloadFromFile() }
                }
                group.addTask { await self.heartbeat() }
                group.addTask { await sender.run() }
                await group.next()
                group.cancelAll()
            }
        }
        notifier.stopping()
        environment.logger.notice("stopping: downloads stop at a resumable point", metadata: MessageID.daemonStopping.metadata)
        postDaemonEvent(started: false)
        await flushAlerts()
        await stopOffsiteLoops()
        for name in loops.keys { await stopLoop(name) }
        running = false
        writeMetrics()
        environment.logger.notice("stopped")
    }

    func startLoop(_ worker: OrgWorker, first: Bool) {
        let name = worker.policy.name
        let environment = environment
        let spread = worker.policy.pollInterval
        loops[name] = Task {
            // Spread the first looks over up to a minute (jitter), so 200 orgs do not start at once.
            let offset = min(spread, .seconds(60)) * abs(environment.jitter())
            if offset > .zero { try? await environment.clock.sleep(for: offset) }
            while !Task.isCancelled {
                let delay = await worker.cycle()
                await self.afterCycle()
                do { try await environment.clock.sleep(for: delay) } catch { return }
            }
        }
    }

    func stopLoop(_ name: String) async {
        guard let task = loops.removeValue(forKey: name) else { return }
        task.cancel()
        await task.value
    }

    /// After one org's cycle. With many orgs cycles end close together: the metrics file and
    /// `STATUS=` (each covering every org) are refreshed at most once a second here, and the
    /// heartbeat writes what is still pending — not once per org, which grows with the square
    /// of the org count.
    func afterCycle() async {
        environment.metrics.downloadsInFlight.record(await slots.inUse)
        metricsPending = true
        if let last = lastRefresh, ContinuousClock.now - last < .seconds(1) { return }
        await refreshOutputs()
    }
}
