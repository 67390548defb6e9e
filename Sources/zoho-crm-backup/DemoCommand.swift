import ArgumentParser
import Foundation
import Logging
import Policy
import Supervisor
import Systemd
import ZohoModel
import ZohoSimulator

extension ZohoCRMBackup {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the whole cycle against the built-in simulator in a temporary folder, for a first look.",
            discussion: """
                Starts two simulated Zoho organisations on loopback, writes a policy for them (acme: a weekly \
                schedule, on the day after the simulated start, keeping the last 2 backups; globex: unmanaged, with a backup started in Zoho's UI), \
                and runs the supervisor through three weeks on an accelerated clock: schedule, in progress, \
                completed, download, verify, commit, prune. Before acme's last backup someone deletes 30 % of its Contacts: \
                the mass-change alarm fires and the backup before it is held. Then shows `status`, `list`, `inspect` of the \
                newest backup, `diff` of acme's Contacts, the holds, a `restore --deleted-since` of the deleted Contacts, and where the files are. \
                The simulated weeks start on a Monday at midnight in the simulated Zoho user's zone and end \
                in the last week, so the story is the same whenever the demo runs.
                """)
        @Option(name: .long, help: ArgumentHelp("Where to put the demo (default: a new temporary folder).", valueName: "path"))
        var folder: String?
        @Option(name: .long, help: "Simulated days to run.")
        var days = 21
        @Option(name: .long, help: ArgumentHelp("Pretend the wall clock reads this Unix time (tests start the demo at any instant).",
                                                visibility: .hidden))
        var wallClock: Double?

        func run() async throws {
            guard days >= 1, days <= 366 else { throw ValidationError("--days must be 1…366") }
            let wallNow = wallClock ?? Date().timeIntervalSince1970
            let root = folder ?? (NSTemporaryDirectory() + "zoho-crm-backup-demo-\(Int(wallNow))")
            // The folder holds credentials and the served parts: it must be this user's alone
            // (its default name under /tmp is predictable).
            try BackupContent.ownedFolder(root)
            try FileManager.default.createDirectory(atPath: root + "/credentials", withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            LoggingSystem.bootstrap { _ in DemoLogHandler() }
            var acmeConfig = SimulatorConfig()
            // The simulated parts are cached in the demo's own folder (0700), never in a shared /tmp name.
            // 200 records a module: enough for the mass-change alarm (alert.min_records: 100).
            acmeConfig.content = BackupContent(folder: root + "/simulator-content", recordsPerModule: 200)
            acmeConfig.jobDuration = .seconds(1800)
            var globexConfig = acmeConfig
            globexConfig.dataParts = 1
            globexConfig.attachmentParts = 0
            globexConfig.userTimeZone = Self.globexZone
            // Aligned in acme's Zoho zone (DemoTimeline): the story does not depend on the hour or
            // weekday; `status` reads the simulated clock, so ages read naturally.
            let timeline = DemoTimeline(wallClock: wallNow, days: days, zone: acmeConfig.userTimeZone)
            let clock = ManualWallClock(now: timeline.start)
            let acme = SimulatedZoho(config: acmeConfig, clock: clock)
            let globex = SimulatedZoho(config: globexConfig, clock: clock)
            let days = days
            let config = acmeConfig

            Output.line("zoho-crm-backup demo in \(root)")
            Output.line("Two simulated Zoho orgs on loopback; \(days) days on an accelerated clock.\n")
            Output.flush()
            try await SimulatorServer.withRunning(acme) { acmeBase in
                try await SimulatorServer.withRunning(globex) { globexBase in
                    let policyPath = try Self.writeFiles(root: root, acme: acmeBase, globex: globexBase, config: config,
                                                         weekday: timeline.weekday)
                    setenv("CREDENTIALS_DIRECTORY", root + "/credentials", 1)
                    let policy = try PolicyLoader().load(path: policyPath)
                    let runLock = try RunLock.acquire(stateDir: policy.stateDir)
                    defer { runLock.unlock() }
                    var logger = Logger(label: "zoho-crm-backup")
                    logger.logLevel = .notice
                    let environment = SupervisorEnvironment(
                        clock: clock, credentials: CredentialsLookup(environment: [:], directory: root + "/credentials"),
                        jitter: { 0 }, logger: logger, lockTimeout: .seconds(5))
                    let supervisor = Supervisor(policy: policy, environment: environment)
                    let step = Duration.seconds(3 * 3600)
                    var seen: [String: String] = [:]
                    let acmeArchive = policy.orgs.first { $0.name == "acme" }.map { OrgArchive($0, stateDir: policy.stateDir) }
                    var massDeleted = false
                    for tick in 0..<(days * 8) {
                        if tick == 2 {
                            Output.line("— someone starts a backup of globex in Zoho's web UI —")
                            Output.flush()
                            await globex.startBackupFromUI()
                        }
                        await supervisor.cycleAll()
                        // After acme's second backup, someone bulk-deletes Contacts: its next backup shows it.
                        if !massDeleted, let acmeArchive, acmeArchive.backups().count == 2 {
                            massDeleted = true
                            Output.line("— someone deletes 30 % of acme's Contacts in Zoho (an import gone wrong) —")
                            Output.flush()
                            await acme.admin(.massDelete(module: "Contacts", percent: 30))
                        }
                        for org in ["acme", "globex"] {
                            let job = await supervisor.worker(org)?.state.lastObservation?.job
                            let text = job.map { "\($0.status) \($0.rrule ?? "one-off backup")" } ?? "nothing scheduled"
                            if seen[org] != text {
                                Output.line("\(DaemonView.time(clock.date))  Zoho shows \(org): \(text)")
                                Output.flush()
                                seen[org] = text
                            }
                        }
                        clock.advance(by: step)
                    }
                    await supervisor.cycleAll()
                    Output.flush()
                    Output.line("\n── zoho-crm-backup status ──")
                    Output.flush()
                    let status = try Status.parse(["--policy", policyPath])
                    try? await status.report(now: clock.date)
                    Output.line("\n── zoho-crm-backup list ──")
                    Output.flush()
                    let list = try List.parse(["--policy", policyPath])
                    try await list.run()
                    if let acme = policy.orgs.first(where: { $0.name == "acme" }),
                       let newest = OrgArchive(acme, stateDir: policy.stateDir).backups().last {
                        Output.line("\n── zoho-crm-backup inspect \(newest.jobID) ──")
                        Output.flush()
                        try await Inspect.parse(["--policy", policyPath, "--org", "acme", newest.jobID]).run()
                        Output.line("\n── zoho-crm-backup diff --org acme --module Contacts ──")
                        Output.flush()
                        try await Diff.parse(["--policy", policyPath, "--org", "acme", "--module", "Contacts"]).run()
                        Output.line("\n── zoho-crm-backup hold --org acme ──")
                        Output.flush()
                        try await HoldBackup.parse(["--policy", policyPath, "--org", "acme"]).run()
                        let backups = OrgArchive(acme, stateDir: policy.stateDir).backups()
                        if backups.count >= 2 {
                            let held = backups[backups.count - 2]
                            Output.line("\n── zoho-crm-backup restore \(newest.jobID) --deleted-since \(held.jobID) --attachments --to <demo>/restore ──")
                            Output.flush()
                            try await RestoreBackup.parse(["--policy", policyPath, "--org", "acme", newest.jobID, "--deleted-since", held.jobID,
                                                           "--attachments", "--to", root + "/restore"]).run()
                        }
                    }
                    Output.line("""

                        The files: \(root)/archive/<org>/<UTC time>_<job id>/ (Data_NNN.zip, Attachments_NNN.zip, SHA256SUMS, manifest.json, index)
                        The deleted Contacts, ready for Zoho's import: \(root)/restore/Contacts.csv (RESTORE.md says how)
                        Check one yourself:  cd \(root)/archive/acme/<folder> && sha256sum -c SHA256SUMS
                        The policy the demo wrote: \(policyPath)
                        Daemon state: \(policy.stateDir)/<org>/state.json
                        Remove it all with:  rm -rf \(root)
                        """)
                }
            }
        }

        /// globex's zone, in its policy and in its simulated Zoho alike.
        static let globexZone = TimeZone(identifier: "Europe/Berlin") ?? .current

        /// Writes the credentials (0600) and the policy; returns the policy's path. Each org's
        /// `timezone` is its simulated Zoho user's zone, as an admin's policy should be.
        static func writeFiles(root: String, acme: String, globex: String, config: SimulatorConfig, weekday: Weekday) throws -> String {
            let credentials = #"{"client_id": "\#(config.clientID)", "client_secret": "\#(config.clientSecret)", "refresh_token": "\#(config.refreshToken)"}"#
            for org in ["acme", "globex"] {
                try AtomicFile.write(Data(credentials.utf8), to: "\(root)/credentials/\(org).json", permissions: 0o600)
            }
            func endpoints(_ base: String) -> String {
                let host = String(base.dropFirst("http://".count))
                return """
                        endpoints:
                          accounts: \(base)
                          api: \(base)
                          download_hosts: ["\(host)"]
                    """
            }
            let policy = """
                # Written by `zoho-crm-backup demo`: two orgs served by the built-in simulator.
                version: 1
                state_dir: \(root)/state
                orgs:
                  acme:
                    data_center: us
                    credentials: acme
                    schedule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=\(weekday.rawValue)"
                    timezone: \(config.userTimeZone.identifier)
                    archive:
                      path: \(root)/archive/acme
                      keep: { last: 2, weekly: 0, monthly: 0, yearly: 0 }
                      min_free: 10MiB
                \(endpoints(acme))
                  globex:
                    data_center: eu
                    credentials: globex
                    schedule: unmanaged
                    timezone: \(globexZone.identifier)
                    archive:
                      path: \(root)/archive/globex
                      min_free: 10MiB
                \(endpoints(globex))

                """
            let path = root + "/policy.yaml"
            try AtomicFile.write(Data(policy.utf8), to: path, permissions: 0o644)
            return path
        }
    }
}

/// The demo's log lines: under the simulated time of the narrative, without a real timestamp.
struct DemoLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .notice
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let message = LogField.withOrg(event.message.description, metadata.merging(event.metadata ?? [:]) { _, new in new })
        Output.line("                      \(event.level >= .error ? "\(event.level): " : "")\(message)")
        Output.flush()
    }
}
