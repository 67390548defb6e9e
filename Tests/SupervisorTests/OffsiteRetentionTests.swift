import BackupArchive
import Foundation
import Offsite
import Policy
import Supervisor
import Systemd
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
            try await OffsiteCopyTests.initRepository(h)
            let recorder = LogRecorder()
            let supervisor = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger))
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 4)
            let archive = OrgArchive(try #require(policy.org("acme")), stateDir: h.stateDir)
            let oldest = try #require(archive.backups().first)
            _ = try await archive.hold(oldest, reason: "audit", now: h.clock.date)
            await supervisor.copyOffsiteUntilIdle()

            var snapshots = try await OffsiteCopyTests.snapshots(h)
            #expect(snapshots.count == 3, "the two newest and the held one: \(snapshots.map(\.backupName))")
            #expect(snapshots.contains { $0.backupName == oldest.name && $0.tags.contains("hold") })
            #expect(h.archived("acme").count == 4, "the local archive keeps its own count")
            #expect(recorder.all().contains { $0.message.contains("off-site retention") && $0.message.contains("forgot the snapshots of 1 backup") })
            #expect(recorder.all().contains { $0.message.contains("pruned") }, "the repository was pruned after the forget")

            // Released: the next day's retention forgets its snapshot.
            _ = try await archive.release(oldest, now: h.clock.date)
            await supervisor.copyOffsiteUntilIdle()
            await #expect(try OffsiteCopyTests.snapshots(h).count == 3, "retention runs once a day")
            h.clock.advance(by: .seconds(86_400))
            await supervisor.copyOffsiteUntilIdle()
            snapshots = try await OffsiteCopyTests.snapshots(h)
            #expect(snapshots.count == 2 && !snapshots.contains { $0.backupName == oldest.name }, "\(snapshots.map(\.backupName))")
            #expect(!snapshots.contains { $0.tags.contains("hold") })
        }
    }
}

/// The repository's periodic check: damage is an alarm until a later check passes.
@Suite("Off-site check", .serialized)
struct OffsiteCheckTests {
    @Test("a corrupted pack: one critical entry, the metric, status and STATUS= in alarm; repaired, the next check ends it")
    func corruptedPack() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        var org = OffsiteCopyTests.org()
        org.extra = ["offsite: { repository: REPO, password_secret: acme-restic, check: { every: 1d, read_data_subset: 100% } }"]
        try await SupervisorHarness.run([org], configure: OffsiteCopyTests.simulator) { h in
            let policy = try OffsiteCopyTests.policy(h)
            try await OffsiteCopyTests.initRepository(h)
            let recorder = LogRecorder(), metrics = BackupMetrics()
            let supervisor = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger, metrics: metrics))
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 1)
            await supervisor.copyOffsiteUntilIdle()
            #expect(recorder.all().contains { $0.message.contains("checked (100% of its data read): no errors") })
            func alarms() -> [LogRecorder.Entry] { recorder.all().filter { $0.metadata["message_id"] == MessageID.offsiteCheckFailed.rawValue } }
            #expect(alarms().isEmpty)

            // A pack changed on the store's disk.
            let data = OffsiteCopyTests.repository(h) + "/data"
            let packs = (FileManager.default.enumerator(atPath: data)?.allObjects as? [String] ?? []).filter { $0.contains("/") }.sorted()
            let pack = data + "/" + (try #require(packs.first))
            let original = try #require(FileManager.default.contents(atPath: pack))
            var damaged = original
            damaged.replaceSubrange(20..<28, with: Data("XXXXXXXX".utf8))
            chmod(pack, 0o600)
            try damaged.write(to: URL(fileURLWithPath: pack))
            h.clock.advance(by: .seconds(86_400))
            await supervisor.copyOffsiteUntilIdle()
            try #require(alarms().count == 1, "\(recorder.all().suffix(4).map(\.message))")
            #expect(alarms()[0].level == .critical && alarms()[0].message.contains("failed its check") && alarms()[0].message.contains("offsite init"))
            let worker = try #require(await supervisor.worker("acme"))
            #expect(await worker.status(daemonRunning: true, now: h.clock.date).offsite?.check_error != nil, "status exits 1")
            #expect(await supervisor.statusSummary().line.contains("OFF-SITE CHECK FAILED: acme"))
            let rendered = metrics.render()
            #expect(rendered.contains(#"zoho_crm_backup_alarm{kind="offsite_check",org="acme"} 1"#)
                    || rendered.contains(#"zoho_crm_backup_alarm{org="acme",kind="offsite_check"} 1"#), "the alarm metric")

            // Put right: the next check passes and ends the alarm.
            try original.write(to: URL(fileURLWithPath: pack))
            h.clock.advance(by: .seconds(86_400))
            await supervisor.copyOffsiteUntilIdle()
            #expect(recorder.all().contains { $0.message.contains("the check alarm is over") })
            #expect(await worker.status(daemonRunning: true, now: h.clock.date).offsite?.check_error == nil)
            #expect(!(await supervisor.statusSummary().line.contains("OFF-SITE")))
            #expect(alarms().count == 1)
        }
    }
}
