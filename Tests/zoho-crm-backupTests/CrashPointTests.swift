import Foundation
import TestSupport
import Glibc
import Testing

/// The daemon killed with SIGKILL at each named point of the archive's and the supervisor's
/// work (the documented `ZOHO_CRM_BACKUP_FAULT` hook), then restarted: every job archived
/// once, no duplicate POST, no corrupt or half-visible folder, resumed parts fetch only the
/// missing bytes.
@Suite("SIGKILL at every named point, then a restart", .serialized)
struct CrashPointTests {
    static let weekly = "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"

    /// Starts a daemon that must die by SIGKILL at `fault`; fails the test otherwise.
    static func crash(_ setup: DaemonSetup, at fault: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let daemon = try setup.daemon("crash", fault: fault)
        let died = eventually(timeout: 30) { !daemon.process.isRunning }
        daemon.waitForExit(timeout: 1)
        #expect(died && daemon.process.terminationReason == .uncaughtSignal && daemon.process.terminationStatus == SIGKILL,
                "killed at \(fault): \(daemon.log)", sourceLocation: sourceLocation)
    }

    /// Runs a daemon until `done`, then stops it with SIGTERM (exit 0).
    static func runUntil(_ setup: DaemonSetup, label: String = "after", sourceLocation: SourceLocation = #_sourceLocation,
                         _ done: () -> Bool) throws {
        let daemon = try setup.daemon(label)
        let finished = eventually(timeout: 40, done)
        #expect(finished, "\(daemon.log)", sourceLocation: sourceLocation)
        #expect(daemon.stop(), sourceLocation: sourceLocation)
        #expect(daemon.process.terminationStatus == 0, "\(daemon.log)", sourceLocation: sourceLocation)
    }

    static let archivePoints = [
        "part.midStream", "part.beforeFsync", "part.afterFsync", "job.betweenParts", "job.afterVerify",
        "index.beforeWrite", "commit.beforeManifest", "commit.beforeRename", "commit.afterRename", "commit.beforeDirFsync",
        "state.beforeRename:2",
    ]

    @Test("the archive's points (and a state write): the backup is archived once after the restart", arguments: archivePoints)
    func archivePoint(_ point: String) throws {
        let folder = try makeTemporaryFolder("sim")
        // A first part of many chunks, so a cut inside it leaves a real prefix.
        let big = try makeZip(folder + "/Data_001.zip", randomBytes: 600_000)
        let sim = try SimulatorProcess(jobDuration: "1s", extra: ["--part", "Data_001.zip=\(big)"], requestLog: folder + "/requests.log")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "unmanaged")
        try setup.requestBackup()
        try Self.crash(setup, at: point)
        try Self.runUntil(setup) { ((try? setup.archivedJobs()) ?? []).count == 1 }
        try setup.checkArchiveIsWhole()
        #expect(try setup.historyCount("initiated") == 1, "one POST: the one `now` made")
        let data = sim.requests.filter { $0.contains("/Data_001.zip") }
        if point == "part.midStream" {
            // The first part was cut after its first bytes: the restart asks only for the rest.
            let offset = data.count == 2 ? data[1].components(separatedBy: "range=bytes=").last.flatMap { Int($0.dropLast()) } : nil
            #expect(data.count == 2 && data[1].contains(" 206 ") && (offset ?? 0) > 0 && (offset ?? .max) < 600_000, "\(data)")
        }
        if ["job.betweenParts", "job.afterVerify", "index.beforeWrite", "commit.beforeManifest", "commit.beforeRename"].contains(point) {
            #expect(data.count == 1, "a finished part is never fetched again: \(data)")
        }
        if ["commit.afterRename", "commit.beforeDirFsync"].contains(point) {
            #expect(sim.requests.filter { $0.contains(".zip") }.count == 3, "the committed backup is not downloaded again")
        }
    }

    @Test("killed after verify (or before the rename), links expire, restart: archived from .partial/, never lost",
          arguments: ["job.afterVerify", "commit.beforeRename"])
    func killedThenLinksExpire(_ point: String) throws {
        let sim = try SimulatorProcess(jobDuration: "1s", extra: ["--link-lifetime", "5s"])
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "unmanaged")
        try setup.requestBackup()
        try Self.crash(setup, at: point)
        // Down until the links have expired (5 s after completion).
        Thread.sleep(forTimeInterval: 6)
        try Self.runUntil(setup) { ((try? setup.archivedJobs()) ?? []).count == 1 }
        try setup.checkArchiveIsWhole()
        #expect(setup.lostJobs.isEmpty && !setup.state.isEmpty, "not reported lost: \(setup.state)")
        #expect(try setup.historyCount("initiated") == 1)
    }

    @Test("prune.midDelete: the deletion completes after the restart and the kept backup is whole")
    func pruneMidDelete() throws {
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "unmanaged", keep: "{ last: 1, weekly: 0, monthly: 0, yearly: 0 }")
        try setup.requestBackup()
        try Self.runUntil(setup, label: "first") { ((try? setup.archivedJobs()) ?? []).count == 1 }
        let first = try setup.archivedJobs()
        try setup.requestBackup()
        try Self.crash(setup, at: "prune.midDelete")
        try Self.runUntil(setup) {
            let jobs = (try? setup.archivedJobs()) ?? []
            return jobs.count == 1 && jobs != first && !setup.state.contains("\"pruneDue\" : true")
        }
        try setup.checkArchiveIsWhole()
        let pruned = try String(contentsOfFile: setup.archive + "/.pruned.json", encoding: .utf8)
        #expect(pruned.contains(first[0]), "the pruned job is remembered")
        #expect(try setup.historyCount("initiated") == 2)
    }

    @Test("post.beforeSend: the intent is kept; the restart sees no schedule and POSTs once")
    func postBeforeSend() throws {
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: Self.weekly)
        try Self.crash(setup, at: "post.beforeSend")
        #expect(setup.hasPendingPost)
        try Self.runUntil(setup) { !setup.hasPendingPost && setup.state.contains("BYDAY=FR") }
        #expect(try setup.historyCount("scheduled") == 1)
    }

    @Test("post.afterSend: the restart sees the schedule Zoho made and does not POST again")
    func postAfterSend() throws {
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: Self.weekly)
        try Self.crash(setup, at: "post.afterSend")
        try Self.runUntil(setup) { !setup.hasPendingPost && setup.state.contains("lastSuccess") }
        #expect(try setup.historyCount("scheduled") == 1)
    }

    @Test("cancel.afterSend: the restart sees the cancelled schedule and neither cancels nor POSTs again")
    func cancelAfterSend() throws {
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: Self.weekly)
        try Self.runUntil(setup, label: "schedule") { setup.state.contains("\"status\" : \"SCHEDULED\"") }
        try setup.write(schedule: "none")
        try Self.crash(setup, at: "cancel.afterSend")
        try Self.runUntil(setup) { setup.state.contains("\"status\" : \"STOPPED\"") && setup.state.contains("lastSuccess") }
        #expect(try setup.historyCount("stopped") == 1)
        #expect(try setup.historyCount("scheduled") == 1)
    }
}

/// Writes a zip of one stored entry of random bytes with python3's zipfile (a writer we did not write).
/// - Returns: its path.
func makeZip(_ path: String, randomBytes: Int) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    p.arguments = ["-c", "import os, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z: z.writestr('Leads.csv', os.urandom(int(sys.argv[2])))",
                   path, String(randomBytes)]
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    return path
}
