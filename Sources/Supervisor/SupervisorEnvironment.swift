import AsyncHTTPClient
import BackupArchive
import Foundation
import Logging
import Notify
import Policy
import Systemd
import ZohoAPI
import ZohoModel

/// What every org's loop shares: time, the HTTP client, credentials, metrics, the fault hook.
public struct SupervisorEnvironment: Sendable {
    /// Wall time; tests and `demo` pass a clock they advance.
    public var clock: any WallClock
    /// The process's one HTTP client.
    public var http: HTTPClient
    public var credentials: CredentialsLookup
    /// Named crash points (tests, and the documented `ZOHO_CRM_BACKUP_FAULT` hook).
    public var faults: FaultPoints
    /// A number in [-1, 1] for each poll's jitter; `{ 0 }` turns jitter off (tests, benchmarks).
    public var jitter: @Sendable () -> Double
    public var logger: Logger
    public var metrics: BackupMetrics
    /// How long a unit of work waits for the org's lock (held briefly by `now` or `prune`).
    public var lockTimeout: Duration
    /// Zip entries verified in parallel per part.
    public var verifyParallelism: Int
    /// The threads zip entries are inflated on, outside the cooperative pool.
    public var verifyLanes: VerifyLanes = .shared
    /// Inflates and checks one entry (tests stand in one that blocks).
    public var entryChecker: any ZipEntryChecker = ZlibEntryChecker()
    /// Whether the engine saves `state.json`: the daemon does; `now`, `plan` and `status`
    /// (which may run beside it) do not.
    public var writesState = true
    /// When set, every restic run of the daemon is stopped as hung after this long (tests: a
    /// store that stops answering mid-copy); nil: restic's own limits (30 minutes for quick
    /// commands, 12 hours for a copy, check or prune).
    public var resticTimeLimit: Duration?
    /// How alerts are sent (tests stand in a recorder); nil: HTTP through ``http``.
    public var alertTransport: (any AlertTransport)?
    /// How long an alert's destination may take to answer.
    public var alertTimeout: Duration = .seconds(10)
    /// The metrics textfile is rewritten at least this often while the daemon is idle: its
    /// age tells a monitor the daemon is alive (the packaged rules alert at 15 minutes).
    public var metricsRefresh: Duration = .seconds(60)

    public init(clock: any WallClock = SystemWallClock(), http: HTTPClient = ZohoHTTPClient.shared,
                credentials: CredentialsLookup = CredentialsLookup(), faults: FaultPoints = .none,
                jitter: @escaping @Sendable () -> Double = { Double.random(in: -1...1) },
                logger: Logger = Logger(label: "zoho-crm-backup"), metrics: BackupMetrics = BackupMetrics(),
                lockTimeout: Duration = .seconds(30),
                verifyParallelism: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.clock = clock
        self.http = http
        self.credentials = credentials
        self.faults = faults
        self.jitter = jitter
        self.logger = logger
        self.metrics = metrics
        self.lockTimeout = lockTimeout
        self.verifyParallelism = verifyParallelism
    }
}

extension SupervisorEnvironment {
    /// The environment of a command's engine (`now`, `plan`, `status`): it never writes
    /// `state.json` (the daemon may run beside it), has no jitter, and obeys the fault hook
    /// as the daemon does (tests only, see ``FaultPoints/hooksEnabled(_:)``).
    public static func command(credentials: CredentialsLookup, logger: Logger) -> SupervisorEnvironment {
        var environment = SupervisorEnvironment(credentials: credentials, faults: .fromEnvironment(ProcessInfo.processInfo.environment),
                                                jitter: { 0 }, logger: logger)
        environment.writesState = false
        return environment
    }
}

extension SupervisorEnvironment {
    /// The daemon's environment (`run`): the fault hook read from the process's environment,
    /// and a warning logged when it is set — active (a test) or ignored (a release build
    /// without ``FaultPoints/enableVariable``).
    public static func daemon(logger: Logger, jitter: Bool = true) -> SupervisorEnvironment {
        let processEnvironment = ProcessInfo.processInfo.environment
        if let hook = processEnvironment[FaultPoints.environmentVariable], !hook.isEmpty {
            if FaultPoints.hooksEnabled(processEnvironment) {
                logger.warning("test hook \(FaultPoints.environmentVariable)=\(hook) is active: the daemon will fail or stop there on purpose")
            } else {
                logger.warning("\(FaultPoints.environmentVariable) is set but ignored: this build obeys it only with \(FaultPoints.enableVariable)=1 (tests only)")
            }
        }
        var environment = SupervisorEnvironment(faults: FaultPoints.fromEnvironment(processEnvironment), logger: logger)
        if !jitter { environment.jitter = { 0 } }
        return environment
    }
}
