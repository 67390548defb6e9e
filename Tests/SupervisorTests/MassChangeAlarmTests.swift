import BackupArchive
import Foundation
import Logging
import Policy
import Supervisor
import Synchronization
import Systemd
import Testing
import TestSupport
import ZohoModel
import ZohoSimulator

/// The mass-change alarm end to end: weekly backups from the simulator, `keep.last: 2`, an
/// admin's mass change before the third: the alarm fires once, `status` is in alarm until the
/// hold is released, retention keeps the held backup for weeks, and prunes it once released.
@Suite("Mass-change alarm", .serialized)
struct MassChangeAlarmTests {
    static let fridays = "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"

    struct Case: Sendable, CustomTestStringConvertible {
        var action: AdminAction
        var alarm: Bool
        var testDescription: String { "\(action): \(alarm ? "alarm" : "nothing")" }
    }

    /// Room for weekly backups, and 400 records a module (over alert.min_records).
    static let simulator: @Sendable (inout SimulatorConfig) -> Void = {
        $0.monthlyQuota = 10
        $0.content = BackupContent(folder: NSTemporaryDirectory() + "zcb-masschange-content", recordsPerModule: 400,
                                   attachmentsPerPart: 1, attachmentBytes: 500)
    }

    /// Runs six-hourly cycles until the org's `n`-th backup is archived (or pruned since).
    static func runUntilArchived(_ h: SupervisorHarness, _ supervisor: Supervisor, _ n: Int) async throws {
        for _ in 0..<200 {
            await h.cycle(supervisor, times: 1, step: .seconds(6 * 3600))
            if h.archived("acme").count + PrunedJobs.load(archive: h.archivePath("acme")).pruned.count >= n { return }
        }
        throw HarnessError(description: "backup \(n) was never archived")
    }

    @Test(arguments: [Case(action: .massDelete(module: "Contacts", percent: 30), alarm: true),
                      Case(action: .massEdit(module: "Contacts", percent: 30), alarm: true),
                      Case(action: .massDelete(module: "Contacts", percent: 4), alarm: false)])
    func weeklyWithMassChange(_ c: Case) async throws {
        let org = SupervisorHarness.Org(name: "acme", schedule: Self.fridays, extra: ["alert: { max_deleted: 5%, max_changed: 20% }"],
                                        keep: "{ last: 2, weekly: 0, monthly: 0, yearly: 0 }")
        try await SupervisorHarness.run([org], configure: Self.simulator) { h in
            let recorder = LogRecorder()
            let metrics = BackupMetrics()
            let supervisor = Supervisor(policy: try h.policy(), environment: h.environment(logger: recorder.logger, metrics: metrics))
            let worker = try #require(await supervisor.worker("acme"))
            let zoho = try #require(h.zohos["acme"])
            let archive = OrgArchive(try #require(try h.policy().org("acme")), stateDir: h.stateDir)
            func alarms() -> [LogRecorder.Entry] { recorder.all().filter { $0.metadata["message_id"] == MessageID.massChange.rawValue } }
            func inAlarm() async -> Bool { await worker.status(daemonRunning: true, now: h.clock.date).mass_change_alarm }

            try await Self.runUntilArchived(h, supervisor, 2)
            let week2 = try #require(h.archived("acme").last)
            let raisedBefore = await inAlarm()
            #expect(!raisedBefore && alarms().isEmpty)
            await zoho.admin(c.action)
            try await Self.runUntilArchived(h, supervisor, 3)
            let week3 = try #require(h.archived("acme").last)

            guard c.alarm else {
                let raised = await inAlarm()
                #expect(alarms().isEmpty && !raised, "a 4 % deletion raises nothing")
                #expect(try archive.holds(now: h.clock.date).isEmpty)
                return
            }
            let fired = alarms()
            try #require(fired.count == 1, "the alarm fires once")
            let entry = fired[0]
            #expect(entry.level == .critical && entry.metadata["module"] == "Contacts" && entry.metadata["held_backup"] == week2.name)
            #expect(entry.metadata["older_backup"] == week2.name && entry.metadata["newer_backup"] == week3.name)
            #expect(entry.metadata["job_id"] == week3.manifest.jobID)
            #expect(entry.message.contains("Contacts \(c.action.description.contains("delete") ? "lost" : "had changes in")"))
            #expect(entry.message.hasSuffix("backup \(week2.name) is held"))
            #expect(await inAlarm(), "status exits 1")
            #expect(metrics.render().contains(#"zoho_crm_backup_alarm{kind="mass_change",org="acme"} 1"#) || metrics.render().contains(#"zoho_crm_backup_alarm{org="acme",kind="mass_change"} 1"#))
            #expect(await supervisor.statusSummary().line.contains("MASS CHANGE, backup held: acme (Contacts)"))

            // Four more weeks: keep.last 2 would have removed week 2 long ago; it is held.
            try await Self.runUntilArchived(h, supervisor, 7)
            #expect(h.archived("acme").map(\.name).contains(week2.name), "the backup before the mass change is still there")
            #expect(h.archived("acme").count == 3, "the two newest and the held one")
            #expect(alarms().count == 1, "still one alarm")
            #expect(await inAlarm(), "status still exits 1")
            let dry = try await archive.prune(keep: RetentionCounts(last: 2, weekly: 0, monthly: 0, yearly: 0), timeZone: .gmt, dryRun: true, now: h.clock.date)
            #expect(dry.first { $0.backup == week2.name }?.reasons.first?.hasPrefix("held — last backup before the mass change of Contacts on ") == true)

            // Released: the alarm is over, and the next cycle's retention removes the backup.
            let summary = try #require(archive.backups().first { $0.name == week2.name })
            #expect(try await archive.release(summary, now: h.clock.date).count == 1)
            #expect(!(await inAlarm()), "status exits 0")
            await h.cycle(supervisor, times: 1, step: .seconds(3600))
            #expect(!h.archived("acme").map(\.name).contains(week2.name), "pruned by the next cycle")
            #expect(h.archived("acme").count == 2)
            #expect(metrics.render().contains(#"mass_change"#) && !metrics.render().contains(#"kind="mass_change",org="acme"} 1"#))
        }
    }

    @Test("a hold that cannot be written: retention waits (keep.last 1 would remove the backup), the pair is compared again, then held")
    func holdNotWrittenRetentionWaits() async throws {
        let org = SupervisorHarness.Org(name: "acme", schedule: Self.fridays, keep: "{ last: 1, weekly: 0, monthly: 0, yearly: 0 }")
        try await SupervisorHarness.run([org], configure: Self.simulator) { h in
            let recorder = LogRecorder()
            let supervisor = Supervisor(policy: try h.policy(), environment: h.environment(logger: recorder.logger))
            try await Self.runUntilArchived(h, supervisor, 1)
            let first = try #require(h.archived("acme").last)
            let blocker = h.archivePath("acme") + "/.holds.json"
            try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: true)
            await h.zohos["acme"]!.admin(.massDelete(module: "Contacts", percent: 30))
            try await Self.runUntilArchived(h, supervisor, 2)
            await h.cycle(supervisor, times: 3, step: .seconds(3600))
            #expect(h.archived("acme").map(\.name).contains(first.name), "retention waits while the holds cannot be written or read")
            #expect(h.archived("acme").count == 2)

            try FileManager.default.removeItem(atPath: blocker)
            await h.cycle(supervisor, times: 1, step: .seconds(3600))
            let alarms = recorder.all().filter { $0.metadata["message_id"] == MessageID.massChange.rawValue && $0.metadata["held_backup"] == first.name }
            #expect(alarms.count == 1, "the pair is compared again and the hold written")
            #expect(h.archived("acme").map(\.name).contains(first.name), "held")
        }
    }
}
