import BackupArchive
import Foundation
import Policy
import Reconcile
import Supervisor
import Testing
import ZohoModel
import ZohoSimulator

/// The supervisor against simulated Zohos, in process, on an accelerated clock.
@Suite("Supervisor end to end", .serialized)
struct SupervisorEndToEndTests {
    static let weekly = "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO"
    static let fridays = "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"

    @Test("an RRULE policy schedules exactly once; a restart with the same state does not POST again")
    func schedulesOnceAcrossRestart() async throws {
        try await SupervisorHarness.run([.init(name: "acme", schedule: Self.weekly)]) { h in
            let zoho = h.zohos["acme"]!
            let first = try h.supervisor()
            await h.cycle(first, times: 3, step: .seconds(60))
            #expect(await zoho.count("POST", "/backup") == 1)
            let job = try #require(await first.worker("acme")?.state.lastObservation?.job)
            #expect(job.rrule == Self.weekly && job.status == .scheduled)

            let second = try h.supervisor()
            await h.cycle(second, times: 3, step: .seconds(60))
            #expect(await zoho.count("POST", "/backup") == 1)
            #expect(await zoho.count("PUT", "/cancel") == 0)
        }
    }

    @Test("an RRULE change, reloaded, cancels and reschedules exactly once")
    func ruleChangeReschedulesOnce() async throws {
        try await SupervisorHarness.run([.init(name: "acme", schedule: Self.weekly)]) { h in
            let zoho = h.zohos["acme"]!
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, times: 2, step: .seconds(60))
            let summary = await supervisor.reload(try h.policy([.init(name: "acme", schedule: Self.fridays)]))
            #expect(summary.changed == ["acme"] && summary.added.isEmpty && summary.removed.isEmpty)
            await h.cycle(supervisor, times: 3, step: .seconds(60))
            #expect(await zoho.count("POST", "/backup") == 2)
            #expect(await zoho.count("PUT", "/cancel") == 1)
            let job = try #require(await supervisor.worker("acme")?.state.lastObservation?.job)
            #expect(job.rrule == Self.fridays && job.status == .scheduled)
        }
    }

    @Test("schedule: none cancels the recurring schedule and makes none")
    func noneCancels() async throws {
        try await SupervisorHarness.run([.init(name: "acme", schedule: Self.weekly)]) { h in
            let zoho = h.zohos["acme"]!
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, step: .seconds(60))
            await supervisor.reload(try h.policy([.init(name: "acme", schedule: "none")]))
            await h.cycle(supervisor, times: 3, step: .seconds(60))
            #expect(await zoho.count("PUT", "/cancel") == 1)
            #expect(await zoho.count("POST", "/backup") == 1)
            let job = try #require(await supervisor.worker("acme")?.state.lastObservation?.job)
            #expect(job.status == .stopped)
        }
    }

    @Test("a backup started in Zoho's UI is archived for an unmanaged org, once, and nothing is POSTed")
    func unmanagedArchives() async throws {
        try await SupervisorHarness.run([.init(name: "acme", schedule: "unmanaged")]) { h in
            let zoho = h.zohos["acme"]!
            let supervisor = try h.supervisor()
            await h.cycle(supervisor)
            try await h.startImmediateBackup("acme")
            await h.cycle(supervisor, times: 4, step: .seconds(60))
            let archived = h.archived("acme")
            #expect(archived.count == 1)
            #expect(archived.first?.manifest.files.map(\.name) == ["Data_001.zip", "Data_002.zip", "Attachments_001.zip"])
            #expect(await zoho.count("POST", "/backup") == 0) // the UI's is not an API request
            #expect(await zoho.count("GET", "/Data_001.zip") == 1)
            let state = try #require(await supervisor.worker("acme")?.state)
            #expect(state.seenJobs.isEmpty && state.lastError == nil && !state.pruneDue)
        }
    }

    @Test("revoked credentials keep failing with a clear error while another org keeps archiving")
    func oneOrgFailingDoesNotStopAnother() async throws {
        let orgs: [SupervisorHarness.Org] = [.init(name: "acme", schedule: "unmanaged"),
                                             .init(name: "globex", schedule: Self.weekly, revoked: true)]
        try await SupervisorHarness.run(orgs) { h in
            let supervisor = try h.supervisor()
            await h.cycle(supervisor)
            try await h.startImmediateBackup("acme")
            await h.cycle(supervisor, times: 3, step: .seconds(60))
            #expect(h.archived("acme").count == 1)
            #expect(h.archived("globex").isEmpty)
            let globex = try #require(await supervisor.worker("globex")?.state)
            let error = try #require(globex.lastError)
            #expect(error.kind == "invalidRefreshToken")
            #expect(error.hint.contains("zoho-crm-backup auth --org globex"))
            #expect(globex.consecutiveFailures == 4)
            #expect(await h.zohos["globex"]!.count("POST", "/backup") == 0)
            let status = await supervisor.statusSummary()
            #expect(status.orgsOK == ["acme"] && status.orgsFailing == ["globex"])
        }
    }

    @Test("a month of a weekly schedule: every completed job archived once, one POST, retention keeps what keep says")
    func aMonthOfWeeklyBackups() async throws {
        let org = SupervisorHarness.Org(name: "acme", schedule: Self.weekly, keep: "{ last: 2, weekly: 0, monthly: 0, yearly: 0 }")
        try await SupervisorHarness.run([org]) { h in
            let zoho = h.zohos["acme"]!
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, times: 31 * 4, step: .seconds(6 * 3600))
            #expect(await zoho.count("POST", "/backup") == 1)
            let completed = await zoho.count("GET", "/Data_001.zip")
            #expect(completed >= 4)
            let archived = h.archived("acme")
            #expect(archived.count == 2)
            let pruned = PrunedJobs.load(archive: h.archivePath("acme")).pruned.map(\.jobID)
            #expect(pruned.count == completed - 2)
            #expect(Set(pruned).isDisjoint(with: archived.map(\.manifest.jobID)))
            let state = try #require(await supervisor.worker("acme")?.state)
            #expect(state.lostJobs.isEmpty && state.lastError == nil && !state.freshnessAlarm)
        }
    }
}
