import BackupArchive
import Foundation
import Supervisor
import Testing
import ZohoModel

/// A backup downloaded and verified whole is Zoho's last copy once its links expire: a crash
/// before the commit must not turn it into "lost", and nothing may delete it.
@Suite("A verified backup survives its links' expiry", .serialized)
struct ExpiryAfterVerifyTests {
    static let acme = [SupervisorHarness.Org(name: "acme", schedule: "unmanaged")]

    /// Fails once at `point`, as a process killed there would stop (the test then builds a new
    /// supervisor from the same files: the restart).
    static func once(_ point: String) -> FaultPoints {
        let fired = Fired()
        return FaultPoints { name in
            if name.rawValue == point, fired.fire() { throw CancellationError() }
        }
    }

    /// Safe: `done` is read and written only while holding `lock`.
    final class Fired: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        func fire() -> Bool { lock.withLock { defer { done = true }; return !done } }
    }

    @Test("stopped after verify (job.afterVerify) or before the rename (commit.beforeRename), links expire, restart: archived, not lost",
          arguments: ["job.afterVerify", "commit.beforeRename"])
    func verifiedThenExpired(_ point: String) async throws {
        try await SupervisorHarness.run(Self.acme) { h in
            try await h.startImmediateBackup("acme")
            h.clock.advance(by: .seconds(3))
            let first = try h.supervisor(faults: Self.once(point))
            await h.cycle(first, step: .seconds(60))
            #expect(h.archived("acme").isEmpty, "stopped at \(point) before the commit")

            // Down for eight days: the links (seven days) expire before the restart.
            h.clock.advance(by: .seconds(8 * 86_400))
            let restarted = try h.supervisor()
            await h.cycle(restarted, step: .seconds(60))
            let archived = h.archived("acme")
            #expect(archived.count == 1, "the verified backup is committed from .partial/")
            #expect(await restarted.worker("acme")?.state.lostJobs.isEmpty == true, "it is not reported lost")
            if let backup = archived.first {
                #expect(await ArchiveFolder(path: h.archivePath("acme"), org: "acme", minFree: ByteSize(bytes: 0),
                                            logger: .init(label: "test")).verify(backup).ok)
            }

            // The next backup's archiving (and its leftover cleanup) keeps it.
            try await h.startImmediateBackup("acme")
            h.clock.advance(by: .seconds(3))
            await h.cycle(restarted, times: 2, step: .seconds(60))
            #expect(h.archived("acme").count == 2)
        }
    }
}
