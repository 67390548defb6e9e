import BackupArchive
import Foundation
import Offsite
import Policy
import Supervisor
import Testing
import TestSupport
import ZohoModel

/// The repository's own retention in the daemon: `offsite.keep` independent of the local
/// archive's, a held backup's snapshot kept (tagged `hold`) until released, a prune after.
@Suite("Off-site retention", .serialized)
struct OffsiteRetentionTests {
    @Test("offsite.keep last 2 with local keep last 5: the repository keeps 2 and the held one; released, it goes; pruned")
    func keepAndHold() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        let org = OffsiteCopyTests.org(keep: "{ last: 5, weekly: 0, monthly: 0, yearly: 0 }", offsiteKeep: "{ last: 2, weekly: 0, monthly: 0, yearly: 0 }")
        try await SupervisorHarness.run([org], configure: OffsiteCopyTests.simulator) { h in
            let policy = try OffsiteCopyTests.policy(h)
            try OffsiteCopyTests.initRepository(h)
            let recorder = LogRecorder()
            let supervisor = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger))
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 4)
            let archive = OrgArchive(try #require(policy.org("acme")), stateDir: h.stateDir)
            let oldest = try #require(archive.backups().first)
            _ = try await archive.hold(oldest, reason: "audit", now: h.clock.date)
            await supervisor.copyOffsiteUntilIdle()

            var snapshots = try OffsiteCopyTests.snapshots(h)
            #expect(snapshots.count == 3, "the two newest and the held one: \(snapshots.map(\.backupName))")
            #expect(snapshots.contains { $0.backupName == oldest.name && $0.tags.contains("hold") })
            #expect(h.archived("acme").count == 4, "the local archive keeps its own count")
            #expect(recorder.all().contains { $0.message.contains("off-site retention") && $0.message.contains("forgot the snapshots of 1 backup") })
            #expect(recorder.all().contains { $0.message.contains("pruned") }, "the repository was pruned after the forget")

            // Released: the next day's retention forgets its snapshot.
            _ = try await archive.release(oldest, now: h.clock.date)
            await supervisor.copyOffsiteUntilIdle()
            #expect(try OffsiteCopyTests.snapshots(h).count == 3, "retention runs once a day")
            h.clock.advance(by: .seconds(86_400))
            await supervisor.copyOffsiteUntilIdle()
            snapshots = try OffsiteCopyTests.snapshots(h)
            #expect(snapshots.count == 2 && !snapshots.contains { $0.backupName == oldest.name }, "\(snapshots.map(\.backupName))")
            #expect(!snapshots.contains { $0.tags.contains("hold") })
        }
    }
}
