import BackupArchive
import Foundation
import Glibc
import Supervisor
import Testing
import TestSupport
import ZohoModel

/// A verification that never ends must not starve the daemon: zip entries inflate on
/// `VerifyLanes`, threads outside Swift's cooperative pool, so `WATCHDOG=1` keeps going to
/// systemd and the other orgs keep cycling while every lane is held.
@Suite("Verification never starves the watchdog", .serialized)
struct WatchdogTests {
    /// A stand-in inflater that blocks every entry until the test releases it, then checks
    /// it for real. Safe: `entered` and `released` are used only while holding `condition`'s lock.
    final class BlockingChecker: ZipEntryChecker, @unchecked Sendable {
        private let condition = NSCondition()
        private var entered = 0
        private var released = false

        func check(_ entry: ZipEntry, fd: Int32, fileSize: Int64) throws(ZipVerifier.Failure) -> Int64 {
            condition.lock()
            entered += 1
            condition.broadcast()
            while !released { condition.wait() }
            condition.unlock()
            return try ZlibEntryChecker().check(entry, fd: fd, fileSize: fileSize)
        }

        /// Waits (up to `seconds`) until `count` entries are held; returns how many are.
        func waitUntilHeld(_ count: Int, seconds: Double) -> Int {
            condition.lock()
            defer { condition.unlock() }
            let deadline = Date().addingTimeInterval(seconds)
            while entered < count, condition.wait(until: deadline) {}
            return entered
        }

        func release() {
            condition.lock()
            released = true
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The harness's manual clock, but each sleep also lasts up to 200 ms of real time, so
    /// `run`'s loops turn at a human pace while simulated time moves on.
    struct PacedClock: WallClock {
        let clock: ManualWallClock
        var now: Double { clock.now }
        func sleep(for duration: Duration) async throws {
            try await Task.sleep(for: min(duration, .milliseconds(200)))
            clock.advance(by: duration)
        }
    }

    @Test("WATCHDOG=1 every second and another org's cycles go on while every verification lane is held")
    func watchdogWhileLanesAreHeld() async throws {
        let checker = BlockingChecker()
        let lanes = 2
        try await SupervisorHarness.run([.init(name: "held", schedule: "unmanaged"), .init(name: "other", schedule: "unmanaged")]) { h in
            let socket = try NotifySocket()
            // Only `run` sends WATCHDOG=1, and no other in-process test calls it; children of other
            // tests see another WATCHDOG_PID, so libsystemd gives them no watchdog.
            setenv("NOTIFY_SOCKET", socket.path, 1)
            setenv("WATCHDOG_USEC", "2000000", 1)
            setenv("WATCHDOG_PID", "\(getpid())", 1)
            defer {
                unsetenv("NOTIFY_SOCKET")
                unsetenv("WATCHDOG_USEC")
                unsetenv("WATCHDOG_PID")
            }
            try await h.startImmediateBackup("held")
            h.clock.advance(by: .seconds(3))
            var environment = h.environment()
            environment.clock = PacedClock(clock: h.clock)
            environment.verifyLanes = VerifyLanes(count: lanes)
            environment.entryChecker = checker
            environment.verifyParallelism = lanes
            let supervisor = Supervisor(policy: try h.policy(), environment: environment)
            let daemon = Task { try await supervisor.run() }
            defer { checker.release() }

            #expect(checker.waitUntilHeld(lanes, seconds: 30) == lanes, "held's first part holds every lane")
            _ = socket.receiveAll()
            let before = await supervisor.worker("other")?.state.lastObservation?.observedAt
            var pings = 0
            let end = Date().addingTimeInterval(4)
            while Date() < end { pings += socket.receiveAll().filter { $0.contains("WATCHDOG=1") }.count }
            let after = await supervisor.worker("other")?.state.lastObservation?.observedAt
            #expect(pings >= 2, "WATCHDOG=1 went on (\(pings) in 4 s, interval 2 s)")
            #expect(after != nil && after != before, "the other org's cycles went on: \(String(describing: before)) → \(String(describing: after))")
            #expect(h.archived("held").isEmpty, "nothing is archived while its verification is held")

            checker.release()
            var archived = false
            for _ in 0..<100 where !archived {
                try await Task.sleep(for: .milliseconds(100))
                archived = !h.archived("held").isEmpty
            }
            #expect(archived, "released, the backup is verified and archived")
            daemon.cancel()
            _ = try? await daemon.value
        }
    }
}
