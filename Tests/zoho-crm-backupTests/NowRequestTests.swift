import Foundation
import Glibc
import Testing
import TestSupport

/// `now` spends a monthly backup: it records its request as the daemon does, so a `now`
/// killed mid-request, run again, reports the first request instead of sending a second.
@Suite("now never spends a second backup by accident", .serialized)
struct NowRequestTests {
    /// `now --yes` killed right after Zoho accepted its POST (the fault hook's SIGKILL).
    static func killedNow(_ setup: DaemonSetup) throws {
        var environment = setup.environment
        environment["ZOHO_CRM_BACKUP_FAULT"] = "post.afterSend"
        let killed = try CommandRunner.run(["now", "--policy", setup.policy, "--yes"], environment: environment)
        #expect(killed.signaled && killed.status == SIGKILL, "killed at post.afterSend: \(killed.all)")
        #expect(FileManager.default.fileExists(atPath: setup.pendingPath), "the intent was recorded before the POST")
        #expect(try setup.historyCount("initiated") == 1)
    }

    @Test("now killed at post.afterSend, run again after its backup completed in Zoho: one POST, the second run reports the first request")
    func killedThenAgain() throws {
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "none")
        try Self.killedNow(setup)
        let status = try CommandRunner.run(["status", "--policy", setup.policy, "--json"], environment: setup.environment)
        let rows = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.first?["unconfirmed_request_since"] as? Double != nil, "status shows the killed request: \(status.all)")
        // Completed in Zoho: `GET /backup` no longer shows a pending one-off, only the record does.
        #expect(eventually(timeout: 20) { (try? setup.historyCount("completed")) == 1 })

        let again = try CommandRunner.run(["now", "--policy", setup.policy, "--yes"], environment: setup.environment)
        #expect(again.status == 0, "\(again.all)")
        #expect(again.stdout.contains("reached Zoho as job"), "\(again.all)")
        #expect(again.stdout.contains("Nothing new was requested"))
        #expect(try setup.historyCount("initiated") == 1, "one POST in Zoho's history")
        #expect(!FileManager.default.fileExists(atPath: setup.pendingPath), "resolved")
        #expect(FileManager.default.fileExists(atPath: setup.immediatePath), "remembered until it is archived")

        // With --wait it follows that backup into the archive; then the request is settled.
        let follow = try CommandRunner.run(["now", "--policy", setup.policy, "--yes", "--wait", "--poll-every", "1s", "--wait-limit", "60s"],
                                           environment: setup.environment)
        #expect(follow.status == 0, "\(follow.all)")
        #expect(follow.stdout.contains("archived and verified"), "\(follow.all)")
        #expect(try setup.archivedJobs().count == 1)
        #expect(try setup.historyCount("initiated") == 1)
        let third = try CommandRunner.run(["now", "--policy", setup.policy, "--yes"], environment: setup.environment)
        #expect(third.status == 0 && third.stdout.contains("Zoho accepted the request"), "archived, the request is settled: \(third.all)")
        #expect(try setup.historyCount("initiated") == 2)
    }

    @Test("the same with a daemon running beside it: the daemon confirms the request, the second now reports it; still one POST")
    func killedBesideDaemon() throws {
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "none")
        let release = setup.folder + "/release"
        defer { FileManager.default.createFile(atPath: release, contents: nil) }
        let daemon = try setup.daemon("daemon", fault: "hold:verify.entry:\(release)")
        #expect(eventually(timeout: 30) { FileManager.default.fileExists(atPath: setup.statePath) }, "\(daemon.log)")
        try Self.killedNow(setup)

        // The daemon resolves the intent into a confirmed request and downloads; verification is held.
        #expect(eventually(timeout: 30) {
            !FileManager.default.fileExists(atPath: setup.pendingPath) && FileManager.default.fileExists(atPath: setup.immediatePath)
        }, "\(daemon.log)")
        let again = try CommandRunner.run(["now", "--policy", setup.policy, "--yes"], environment: setup.environment)
        #expect(again.status == 0, "\(again.all)")
        #expect(again.stdout.contains("reached Zoho as job"), "\(again.all)")
        #expect(try setup.historyCount("initiated") == 1, "one POST in Zoho's history")

        FileManager.default.createFile(atPath: release, contents: nil)
        #expect(eventually(timeout: 30) { ((try? setup.archivedJobs()) ?? []).count == 1 }, "\(daemon.log)")
        #expect(eventually(timeout: 10) { !FileManager.default.fileExists(atPath: setup.immediatePath) }, "settled once archived: \(daemon.log)")
        #expect(daemon.stop())
        #expect(try setup.historyCount("initiated") == 1)
    }
}
