import Foundation
import Glibc
import Testing
import TestSupport

/// SIGKILL at seeded random moments of a daemon bringing home several multi-part jobs,
/// restarting it each time. `make test` runs the short form (21 kills); `make soak` the long
/// one (`ZCB_SOAK_KILLS`, `ZCB_SOAK_JOBS`, `ZCB_SOAK_SEED`).
@Suite("Kill soak")
struct KillSoakTests {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    @Test("every job archived once and verified after ≥ 20 SIGKILLs at random moments")
    func soak() throws {
        let seed = UInt64(Self.environment["ZCB_SOAK_SEED"] ?? "") ?? 20_261_123
        let jobs = max(1, Int(Self.environment["ZCB_SOAK_JOBS"] ?? "") ?? 3)
        let kills = max(20, Int(Self.environment["ZCB_SOAK_KILLS"] ?? "") ?? 21)
        var random = SplitMix(state: seed)

        let folder = try makeTemporaryFolder("soak")
        var parts: [String] = []
        for name in ["Data_001.zip", "Data_002.zip", "Data_003.zip", "Attachments_001.zip", "Attachments_002.zip"] {
            parts += ["--part", "\(name)=" + (try makeZip("\(folder)/\(name)", randomBytes: 3_000_000))]
        }
        let sim = try SimulatorProcess(jobDuration: "1s", extra: ["--data-parts", "3", "--attachment-parts", "2"] + parts,
                                       requestLog: folder + "/requests.log")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "unmanaged")

        var killed = 0
        for job in 1...jobs {
            try setup.requestBackup()
            let share = kills / jobs + (job <= kills % jobs ? 1 : 0)
            for k in 1...share {
                let daemon = try setup.daemon("soak-\(job)-\(k)")
                usleep(UInt32(Double.random(in: 0.05...1.2, using: &random) * 1_000_000))
                daemon.signal(SIGKILL)
                daemon.waitForExit(timeout: 5)
                killed += 1
            }
            let daemon = try setup.daemon("soak-\(job)-final")
            let done = eventually(timeout: 60) { ((try? setup.archivedJobs()) ?? []).count == job }
            #expect(done, "job \(job) archived after the kills (seed \(seed)): \(daemon.log)")
            #expect(daemon.stop() && daemon.process.terminationStatus == 0, "\(daemon.log)")
        }

        #expect(killed >= 20)
        try setup.checkArchiveIsWhole()
        #expect(try setup.archivedJobs().count == jobs, "seed \(seed)")
        #expect(try setup.historyCount("initiated") == jobs, "one POST per `now`, none from the daemon")
        #expect(try setup.historyCount("completed") == jobs)
        try Self.killedAfterVerifyThenExpired(times: max(1, Int(Self.environment["ZCB_SOAK_EXPIRIES"] ?? "") ?? 2))
        let resumed = sim.requests.filter { $0.contains(" 206 range=bytes=") && !$0.contains("range=bytes=0-") }
        let whole = sim.requests.filter { $0.contains(".zip 200") }
        print("kill soak: seed \(seed), \(killed) kills, \(jobs) jobs, \(resumed.count) ranged resumes, \(whole.count) whole-part fetches")
    }

    /// The sequence "killed after verify, links expire, restart", `times` times over: every
    /// job ends archived and verified, none is lost.
    static func killedAfterVerifyThenExpired(times: Int) throws {
        let sim = try SimulatorProcess(jobDuration: "1s", extra: ["--link-lifetime", "4s"])
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "unmanaged")
        for round in 1...times {
            try setup.requestBackup()
            let daemon = try setup.daemon("expiry-\(round)", fault: "job.afterVerify")
            let died = eventually(timeout: 30) { !daemon.process.isRunning }
            #expect(died && daemon.process.terminationStatus == SIGKILL, "killed after verify: \(daemon.log)")
            Thread.sleep(forTimeInterval: 5)
            let restarted = try setup.daemon("expiry-\(round)-restart")
            let done = eventually(timeout: 40) { ((try? setup.archivedJobs()) ?? []).count == round }
            #expect(done, "round \(round): archived after its links expired: \(restarted.log)")
            #expect(restarted.stop())
        }
        try setup.checkArchiveIsWhole()
        #expect(setup.lostJobs.isEmpty && !setup.state.isEmpty, "none lost: \(setup.state)")
    }
}
