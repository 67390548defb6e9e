import AsyncHTTPClient
import BackupArchive
import Foundation
import Logging
import Policy
import Supervisor
import ZohoAPI
import Systemd
import ZohoModel
import ZohoSimulator

/// Simulated Zohos (one per org) on loopback, a policy for them in a temporary folder and a
/// supervisor built from it, all on one manual clock: tests run weeks of schedules in seconds.
struct SupervisorHarness: Sendable {
    struct Org: Sendable {
        var name: String
        var schedule: String
        /// Extra YAML lines under the org (indented by 4).
        var extra: [String] = []
        /// Credentials that the simulator refuses.
        var revoked = false
        /// `archive.keep`, as YAML flow text (`{ last: 2 }`).
        var keep: String?
        /// `archive.min_free`.
        var minFree = "1MiB"
    }

    let folder: String
    let clock: ManualWallClock
    /// By org name.
    let zohos: [String: SimulatedZoho]
    let bases: [String: String]
    let orgs: [Org]
    let credentials: CredentialsLookup

    /// 2026-11-20T09:30:00Z, a Friday.
    static let start: Double = 1_795_167_000

    static func run<T: Sendable>(_ orgs: [Org], configure: @escaping @Sendable (inout SimulatorConfig) -> Void = { _ in },
                                 _ body: @Sendable (SupervisorHarness) async throws -> T) async throws -> T {
        let clock = ManualWallClock(now: start)
        let folder = NSTemporaryDirectory() + "zcb-sup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/credentials", withIntermediateDirectories: true)
        var zohos: [String: SimulatedZoho] = [:]
        for org in orgs {
            var config = SimulatorConfig()
            config.content = BackupContent(folder: NSTemporaryDirectory() + "zcb-sup-content")
            config.dataParts = 2
            config.attachmentParts = 1
            configure(&config)
            zohos[org.name] = SimulatedZoho(config: config, clock: clock)
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let servers = zohos
        return try await serve(orgs.map(\.name), servers, bases: [:]) { bases in
            let harness = SupervisorHarness(folder: folder, clock: clock, zohos: servers, bases: bases, orgs: orgs,
                                            credentials: CredentialsLookup(environment: [:], directory: folder + "/credentials"))
            try harness.writeCredentials()
            return try await body(harness)
        }
    }

    /// Starts one server per org, nested, and calls `body` with every base URL.
    private static func serve<T: Sendable>(_ names: [String], _ zohos: [String: SimulatedZoho], bases: [String: String],
                                           _ body: @Sendable ([String: String]) async throws -> T) async throws -> T {
        guard let name = names.first, let zoho = zohos[name] else { return try await body(bases) }
        return try await SimulatorServer.withRunning(zoho) { base in
            var more = bases
            more[name] = base
            return try await serve(Array(names.dropFirst()), zohos, bases: more, body)
        }
    }

    func writeCredentials() throws {
        for org in orgs {
            let config = SimulatorConfig()
            let token = org.revoked ? "1000.revoked00000000000000000000.revoked000000000000000000000000" : config.refreshToken
            let json = #"{"client_id": "\#(config.clientID)", "client_secret": "\#(config.clientSecret)", "refresh_token": "\#(token)"}"#
            try AtomicFile.write(Data(json.utf8), to: "\(folder)/credentials/\(org.name).json", permissions: 0o600)
        }
    }

    var stateDir: String { folder + "/state" }
    func archivePath(_ org: String) -> String { "\(folder)/archive/\(org)" }

    /// The policy text for `orgs` (defaults to the harness's).
    func policyText(_ orgs: [Org]? = nil, parallel: Int = 2, metrics: String? = nil) -> String {
        var lines = ["version: 1", "state_dir: \(stateDir)", "downloads:", "  parallel: \(parallel)"]
        if let metrics { lines += ["metrics:", "  textfile: \(metrics)"] }
        lines.append("orgs:")
        for org in orgs ?? self.orgs {
            let base = bases[org.name]!
            let host = String(base.dropFirst("http://".count))
            lines += [
                "  \(org.name):",
                "    data_center: us",
                "    credentials: \(org.name)",
                "    schedule: \"\(org.schedule)\"",
                "    poll_interval: 1h",
                "    timezone: UTC",
                "    archive:",
                "      path: \(archivePath(org.name))",
                "      min_free: \(org.minFree)",
            ] + (org.keep.map { ["      keep: \($0)"] } ?? []) + [
                "    endpoints:",
                "      accounts: \(base)",
                "      api: \(base)",
                "      download_hosts: [\"\(host)\"]",
            ] + org.extra.map { "    " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func policy(_ orgs: [Org]? = nil, parallel: Int = 2, metrics: String? = nil) throws -> Policy {
        try PolicyLoader(environment: [:]).parse(policyText(orgs, parallel: parallel, metrics: metrics), file: folder + "/policy.yaml")
    }

    func environment(faults: FaultPoints = .none, http: HTTPClient = ZohoHTTPClient.shared, logger: Logger = Logger(label: "test"),
                     metrics: BackupMetrics = BackupMetrics()) -> SupervisorEnvironment {
        SupervisorEnvironment(clock: clock, http: http, credentials: credentials, faults: faults,
                              jitter: { 0 }, logger: logger, metrics: metrics,
                              lockTimeout: .seconds(2), verifyParallelism: 1)
    }

    func supervisor(_ policy: Policy? = nil, faults: FaultPoints = .none, http: HTTPClient = ZohoHTTPClient.shared) throws -> Supervisor {
        Supervisor(policy: try policy ?? self.policy(), environment: environment(faults: faults, http: http))
    }

    /// Runs a cycle of every org, then moves the clock on by `step`, `times` times.
    func cycle(_ supervisor: Supervisor, times: Int = 1, step: Duration = .seconds(3600)) async {
        for _ in 0..<times {
            await supervisor.cycleAll()
            clock.advance(by: step)
        }
    }

    func archived(_ org: String) -> [ArchivedBackup] {
        ArchiveFolder(path: archivePath(org), org: org, minFree: ByteSize(bytes: 0), logger: Logger(label: "test")).backups()
    }

    /// Requests an immediate backup as Zoho's UI would (not through the API).
    func startImmediateBackup(_ org: String) async throws {
        guard await zohos[org]!.startBackupFromUI() != nil else { throw HarnessError(description: "Zoho refused the backup") }
    }
}

struct HarnessError: Error, CustomStringConvertible { let description: String }
