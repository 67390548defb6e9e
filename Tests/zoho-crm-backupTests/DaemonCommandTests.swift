import Foundation
import Glibc
import Testing
import TestSupport

/// `run`, `now` and `status` as a user runs them: separate processes, a simulator
/// process, real signals and a real notify socket.
@Suite("the daemon out of process", .serialized)
struct DaemonCommandTests {
    @Test("run archives a backup started with now --yes; now --wait sees it land; SIGHUP reloads (a broken policy is refused), SIGTERM stops with 0; sd_notify in order; metrics parse")
    func daemonCycle() throws {
        let sim = try SimulatorProcess(jobDuration: "2s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "none", metrics: true)
        let socket = try NotifySocket()
        let daemon = try DaemonProcess(policy: setup.policy,
                                       environment: setup.environment.merging(["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "2000000"]) { a, _ in a },
                                       logPath: setup.folder + "/daemon.log")
        #expect(eventually(timeout: 30) { FileManager.default.fileExists(atPath: setup.statePath) }, "the daemon saved its first cycle: \(daemon.log)")

        let now = try CommandRunner.run(["now", "--policy", setup.policy, "--yes", "--wait", "--poll-every", "1s", "--wait-limit", "60s"],
                                        environment: setup.environment)
        #expect(now.status == 0, "\(now.all)")
        #expect(now.stderr.contains("spends one of the backups Zoho allows per month"))
        #expect(now.stdout.contains("the daemon is downloading it"))
        #expect(now.stdout.contains("archived and verified"))

        let list = try CommandRunner.run(["list", "--policy", setup.policy, "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["parts"] as? Int == 3)

        let status = try CommandRunner.run(["status", "--policy", setup.policy, "--json"], environment: setup.environment)
        #expect(status.status == 0, "\(status.all)")
        let orgs = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        #expect(orgs.first?["daemon_running"] as? Bool == true)
        #expect(orgs.first?["observation"] as? String == "daemon")
        #expect(orgs.first?["backups"] as? Int == 1)

        // The metrics textfile after a cycle: every sample line is `name{labels} value`.
        // Written at most once a second, after the cycle that archived the backup.
        let metricsPath = setup.folder + "/metrics.prom"
        #expect(eventually(timeout: 10) {
            ((try? String(contentsOfFile: metricsPath, encoding: .utf8)) ?? "").contains("zoho_crm_backup_archived_parts_total")
        })
        let metrics = try String(contentsOfFile: metricsPath, encoding: .utf8)
        #expect(metrics.contains("# HELP "))
        let samples = metrics.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(!samples.isEmpty)
        for line in samples {
            #expect(line.range(of: #"^[a-z_:][a-z0-9_:]*(\{[^}]*\})? -?[0-9.e+-]+$"#, options: .regularExpression) != nil, "\(line)")
        }
        #expect(metrics.contains(#"zoho_crm_backup_archived_parts_total{org="acme"} 3"#))

        // A broken policy on SIGHUP: reported with its position, the old one stays.
        try "version: 1\norgs:\n  acme:\n    data_centre: us\n".write(toFile: setup.policy, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(eventually(timeout: 10) { daemon.log.contains("policy reload failed") }, "\(daemon.log)")
        #expect(daemon.log.contains("policy.yaml:4:5"))
        #expect(daemon.process.isRunning)

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15))
        #expect(daemon.process.terminationReason == .exit && daemon.process.terminationStatus == 0, "\(daemon.log)")

        let messages = socket.receiveAll()
        let ready = messages.firstIndex { $0.contains("READY=1") }
        let reloading = messages.firstIndex { $0.contains("RELOADING=1") }
        let stopping = messages.firstIndex { $0.contains("STOPPING=1") }
        #expect(ready != nil && reloading != nil && stopping != nil, "\(messages)")
        if let ready, let reloading, let stopping {
            #expect(ready < reloading && reloading < stopping, "\(messages)")
            #expect(messages[reloading...].contains { $0.contains("READY=1") }, "READY=1 again after the reload")
            #expect(messages[..<stopping].contains { $0.contains("WATCHDOG=1") })
            #expect(messages[..<stopping].contains { $0.hasPrefix("STATUS=") && $0.contains("1 org OK") })
        }
    }

    @Test("killed right after Zoho accepted its POST, the daemon restarts and does not POST again")
    func crashAfterPost() throws {
        let sim = try SimulatorProcess(jobDuration: "2s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR")
        let crashing = try DaemonProcess(policy: setup.policy,
                                         environment: setup.environment.merging(["ZOHO_CRM_BACKUP_FAULT": "post.afterSend"]) { a, _ in a },
                                         logPath: setup.folder + "/crash.log")
        #expect(eventually(timeout: 30) { !crashing.process.isRunning }, "the fault hook killed it")
        crashing.waitForExit(timeout: 1)
        #expect(crashing.process.terminationReason == .uncaughtSignal && crashing.process.terminationStatus == SIGKILL)

        let pending = try Data(contentsOf: URL(fileURLWithPath: setup.pendingPath))
        #expect(String(decoding: pending, as: UTF8.self).contains("RRULE:FREQ=WEEKLY"), "the intent was saved before the POST")

        // Upgrade: the state folder as the previous release wrote it (the intent inside state.json).
        var legacy = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: setup.statePath))) as? [String: Any])
        legacy["pendingPost"] = try JSONSerialization.jsonObject(with: pending)
        try JSONSerialization.data(withJSONObject: legacy).write(to: URL(fileURLWithPath: setup.statePath))
        try FileManager.default.removeItem(atPath: setup.pendingPath)

        let daemon = try DaemonProcess(policy: setup.policy, environment: setup.environment, logPath: setup.folder + "/daemon.log")
        #expect(eventually(timeout: 30) { daemon.log.contains("the unconfirmed backup request reached Zoho") }, "\(daemon.log)")
        #expect(eventually(timeout: 10) { !FileManager.default.fileExists(atPath: setup.pendingPath) && !setup.state.contains("pendingPost") },
                "resolved, the intent is gone from both files")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15))

        let history = try CommandRunner.run(["history", "--policy", setup.policy, "--json"], environment: setup.environment)
        #expect(history.status == 0, "\(history.all)")
        #expect(history.stdout.components(separatedBy: "\"scheduled\"").count - 1 == 1, "one POST in Zoho's history: \(history.stdout)")
    }

    @Test("plan prints what run would do and does nothing; status without a daemon observes Zoho itself")
    func planAndStatusWithoutDaemon() throws {
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR")
        let plan = try CommandRunner.run(["plan", "--policy", setup.policy], environment: setup.environment)
        #expect(plan.status == 0, "\(plan.all)")
        #expect(plan.stdout.contains("- schedule RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR in Zoho"))
        let json = try CommandRunner.run(["plan", "--policy", setup.policy, "--json"], environment: setup.environment)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.first?["actions"] as? [String] == ["schedule RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR in Zoho"])
        #expect(try setup.historyCount("scheduled") == 0, "plan changed nothing")
        #expect(!FileManager.default.fileExists(atPath: setup.statePath), "plan saved no state")

        let status = try CommandRunner.run(["status", "--policy", setup.policy], environment: setup.environment)
        #expect(status.status == 0, "\(status.all)")
        #expect(status.stdout.contains("no daemon is running"))
        #expect(status.stdout.contains("Zoho:       no backup or schedule"))
        #expect(status.stdout.contains("archive:    no backup yet"))
    }

    @Test("plan --json gives each wait as a typed reason; the text says nothing changes now")
    func planWaitIsTyped() throws {
        let sim = try SimulatorProcess(jobDuration: "60s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "unmanaged")
        try setup.requestBackup()
        try setup.write(schedule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR")
        let json = try CommandRunner.run(["plan", "--policy", setup.policy, "--json"], environment: setup.environment)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], "\(json.all)")
        let waits = try #require(rows.first?["wait"] as? [[String: Any]], "\(json.stdout)")
        #expect(waits.first?["reason"] as? String == "one_off_pending")
        #expect((waits.first?["job_id"] as? String)?.isEmpty == false)
        #expect((waits.first?["message"] as? String)?.contains("the schedule is made once it completes") == true)
        let text = try CommandRunner.run(["plan", "--policy", setup.policy], environment: setup.environment)
        #expect(text.stdout.contains("(nothing to change now)"), "\(text.all)")
    }
}

/// A verification that never ends must not starve the daemon: zip entries inflate on threads
/// of their own (`VerifyLanes`), so `WATCHDOG=1` keeps reaching systemd and the other orgs
/// keep cycling while every lane is held. The real `run` process, so nothing else in the test
/// process competes for its threads.
@Suite("verification never starves the watchdog", .serialized)
struct WatchdogTests {
    @Test("WATCHDOG=1 (WATCHDOG_USEC 2 s) and another org's cycles go on while a stand-in inflater holds every verification lane")
    func watchdogWhileLanesAreHeld() throws {
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let other = try SimulatorProcess(jobDuration: "1s")
        defer { other.stop() }
        let setup = try DaemonSetup(sim, schedule: "unmanaged")
        // A second org, on its own simulated Zoho.
        let json = try JSONSerialization.data(withJSONObject: other.credentials)
        FileManager.default.createFile(atPath: setup.credentials + "/other.json", contents: json, attributes: [.posixPermissions: 0o600])
        let otherOrg = """
              other:
                data_center: eu
                credentials: other
                schedule: unmanaged
                poll_interval: 1s
                timezone: UTC
                archive:
                  path: \(setup.folder)/archive/other
                  min_free: 1MiB
                endpoints:
                  accounts: \(other.base)
                  api: \(other.base)
                  download_hosts: ["\(other.hostPort)"]

            """
        let handle = try #require(FileHandle(forWritingAtPath: setup.policy))
        handle.seekToEndOfFile()
        handle.write(Data(otherOrg.utf8))
        handle.closeFile()
        let now = try CommandRunner.run(["now", "--policy", setup.policy, "--org", "acme", "--yes"], environment: setup.environment)
        #expect(now.status == 0, "\(now.all)")

        let release = setup.folder + "/release"
        let socket = try NotifySocket()
        var environment = setup.environment
        environment["NOTIFY_SOCKET"] = socket.path
        environment["WATCHDOG_USEC"] = "2000000"
        environment["ZOHO_CRM_BACKUP_FAULT"] = "hold:verify.entry:\(release)"
        let daemon = try DaemonProcess(policy: setup.policy, environment: environment, logPath: setup.folder + "/daemon.log")
        defer { FileManager.default.createFile(atPath: release, contents: nil) }

        // acme's first part is downloaded and its verification holds every lane (one per core).
        let partial = setup.archive + "/.partial"
        #expect(eventually(timeout: 30) {
            let jobs = (try? FileManager.default.contentsOfDirectory(atPath: partial)) ?? []
            return jobs.contains { FileManager.default.fileExists(atPath: "\(partial)/\($0)/.Data_001.zip.done") }
        }, "acme's first part downloaded: \(daemon.log)")
        Thread.sleep(forTimeInterval: 0.5)
        _ = socket.receiveAll()
        let otherState = setup.folder + "/state/other/state.json"
        let before = try? String(contentsOfFile: otherState, encoding: .utf8)
        var pings = 0
        let end = Date().addingTimeInterval(5)
        while Date() < end { pings += socket.receiveAll().filter { $0.contains("WATCHDOG=1") }.count }
        let after = try? String(contentsOfFile: otherState, encoding: .utf8)
        #expect(pings >= 2, "WATCHDOG=1 went on while verification was held (\(pings) in 5 s, interval 2 s): \(daemon.log)")
        #expect(after != nil && after != before, "the other org's cycles went on")
        #expect(((try? setup.archivedJobs()) ?? []).isEmpty, "nothing is archived while its verification is held")

        FileManager.default.createFile(atPath: release, contents: nil)
        #expect(eventually(timeout: 30) { ((try? setup.archivedJobs()) ?? []).count == 1 }, "released, it is verified and archived: \(daemon.log)")
        #expect(daemon.stop())
    }

    @Test("a SIGHUP whose policy takes long to read (its parse held at reload.parse) keeps WATCHDOG=1 going; a hostile file is refused and the old policy stays")
    func watchdogDuringSlowReload() throws {
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "unmanaged")
        let release = setup.folder + "/release"
        defer { FileManager.default.createFile(atPath: release, contents: nil) }
        let socket = try NotifySocket()
        var environment = setup.environment
        environment["NOTIFY_SOCKET"] = socket.path
        environment["WATCHDOG_USEC"] = "2000000"
        environment["ZOHO_CRM_BACKUP_FAULT"] = "hold:reload.parse:\(release)"
        let daemon = try DaemonProcess(policy: setup.policy, environment: environment, logPath: setup.folder + "/daemon.log")
        #expect(eventually(timeout: 30) { FileManager.default.fileExists(atPath: setup.statePath) }, "\(daemon.log)")
        _ = socket.receiveAll()

        // The alias bomb of the policy-bounds tests: refused at its first anchor once read.
        let hostile = "version: 1\norgs:\n  acme: &a {data_center: us}\n  beta: *a\n"
        try hostile.write(toFile: setup.policy, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        var during: [String] = []
        let end = Date().addingTimeInterval(5)
        while Date() < end { during += socket.receiveAll() }
        #expect(during.contains { $0.contains("RELOADING=1") }, "\(during)")
        #expect(during.filter { $0.contains("WATCHDOG=1") }.count >= 2, "WATCHDOG=1 goes on while the reload reads (interval 1 s): \(during)")
        #expect(!during.contains { $0.contains("READY=1") }, "not ready again before the file is read: \(during)")
        #expect(daemon.process.isRunning)

        FileManager.default.createFile(atPath: release, contents: nil)
        #expect(eventually(timeout: 10) { daemon.log.contains("policy reload failed") }, "\(daemon.log)")
        #expect(daemon.log.contains("anchors and aliases (&a) are not accepted"), "\(daemon.log)")
        #expect(eventually(timeout: 5) { socket.receiveAll().contains { $0.contains("READY=1") } })
        #expect(daemon.process.isRunning, "the old policy stays in force")
        #expect(daemon.stop())
    }
}
