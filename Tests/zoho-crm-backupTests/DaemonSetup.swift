import BackupArchive
import Foundation
import TestSupport
import Testing

/// A folder with credentials for a simulator process and a policy for one org, `acme`,
/// pointing at it; and what the tests check afterwards, through the commands a user has.
struct DaemonSetup {
    let folder: String
    let policy: String
    let credentials: String
    let sim: SimulatorProcess

    init(_ sim: SimulatorProcess, schedule: String, metrics: Bool = false, keep: String? = nil) throws {
        self.sim = sim
        folder = try makeTemporaryFolder("daemon")
        credentials = folder + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        let json = try JSONSerialization.data(withJSONObject: sim.credentials)
        FileManager.default.createFile(atPath: credentials + "/acme.json", contents: json, attributes: [.posixPermissions: 0o600])
        policy = folder + "/policy.yaml"
        try write(schedule: schedule, metrics: metrics, keep: keep)
    }

    /// Writes the policy again (a reload or restart picks it up).
    func write(schedule: String, metrics: Bool = false, keep: String? = nil) throws {
        let text = """
            version: 1
            state_dir: \(folder)/state
            \(metrics ? "metrics:\n  textfile: \(folder)/metrics.prom" : "")
            orgs:
              acme:
                data_center: us
                credentials: acme
                schedule: "\(schedule)"
                poll_interval: 1s
                timezone: UTC
                archive:
                  path: \(archive)
                  min_free: 1MiB
            \(keep.map { "      keep: \($0)" } ?? "")
                endpoints:
                  accounts: \(sim.base)
                  api: \(sim.base)
                  download_hosts: ["\(sim.hostPort)"]

            """
        try text.write(toFile: policy, atomically: true, encoding: .utf8)
    }

    var archive: String { folder + "/archive/acme" }
    var environment: [String: String] { ["CREDENTIALS_DIRECTORY": credentials] }
    var statePath: String { folder + "/state/acme/state.json" }
    /// The unconfirmed POST (`pending-post.json`) and the immediate request not yet settled.
    var pendingPath: String { folder + "/state/acme/pending-post.json" }
    var immediatePath: String { folder + "/state/acme/immediate-request.json" }
    /// An unconfirmed POST is recorded (in `pending-post.json`; older releases kept it in `state.json`).
    var hasPendingPost: Bool { FileManager.default.fileExists(atPath: pendingPath) || state.contains("pendingPost") }
    var state: String { (try? String(contentsOfFile: statePath, encoding: .utf8)) ?? "" }
    /// The jobs the daemon reported lost (state.json's `lostJobs`).
    var lostJobs: [String] {
        let object = (try? JSONSerialization.jsonObject(with: Data(state.utf8))) as? [String: Any]
        return object?["lostJobs"] as? [String] ?? []
    }

    func daemon(_ label: String, fault: String? = nil) throws -> DaemonProcess {
        var env = environment
        if let fault { env["ZOHO_CRM_BACKUP_FAULT"] = fault }
        return try DaemonProcess(policy: policy, environment: env, logPath: "\(folder)/\(label).log")
    }

    /// `now --yes`: one immediate backup requested through Zoho's API.
    func requestBackup() throws {
        let r = try CommandRunner.run(["now", "--policy", policy, "--yes"], environment: environment)
        #expect(r.status == 0, "now: \(r.all)")
    }

    /// Archived job ids, from `list --json`.
    func archivedJobs() throws -> [String] {
        let r = try CommandRunner.run(["list", "--policy", policy, "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        return rows.compactMap { $0["job_id"] as? String }
    }

    /// Zoho's history entries (`history --json`).
    func history() throws -> [[String: Any]] {
        let r = try CommandRunner.run(["history", "--policy", policy, "--json"], environment: environment)
        let orgs = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        return orgs.first?["entries"] as? [[String: Any]] ?? []
    }

    /// History entries whose `action` (scheduled, initiated, stopped) or `state` (completed, failure) is `word`.
    func historyCount(_ word: String) throws -> Int {
        try history().filter { ($0["action"] as? String) == word || ($0["state"] as? String) == word }.count
    }

    /// What must hold whatever happened: every folder in the archive is a whole, verified
    /// backup listed once; nothing of an archived job is left in `.partial/`.
    func checkArchiveIsWhole(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let jobs = try archivedJobs()
        #expect(Set(jobs).count == jobs.count, "each job archived once: \(jobs)", sourceLocation: sourceLocation)
        let verify = try CommandRunner.run(["verify", "--policy", policy])
        #expect(verify.status == 0, "verify: \(verify.all)", sourceLocation: sourceLocation)
        let visible = ((try? FileManager.default.contentsOfDirectory(atPath: archive)) ?? []).filter { !$0.hasPrefix(".") }
        #expect(visible.count == jobs.count, "no half-visible folder: \(visible)", sourceLocation: sourceLocation)
        for name in visible {
            #expect(FileManager.default.fileExists(atPath: "\(archive)/\(name)/manifest.json"), "\(name) has its manifest", sourceLocation: sourceLocation)
            #expect((try? RecordIndex(path: "\(archive)/\(name)/index")) != nil, "\(name) has a valid record index", sourceLocation: sourceLocation)
        }
        let partial = (try? FileManager.default.contentsOfDirectory(atPath: archive + "/.partial")) ?? []
        #expect(Set(partial).isDisjoint(with: jobs), "no leftovers of archived jobs in .partial: \(partial)", sourceLocation: sourceLocation)
    }
}
