import AsyncHTTPClient
import BackupArchive
import Foundation
import Logging
import Policy
import Supervisor
import Testing
import ZohoAPI
import ZohoModel
import ZohoSimulator

/// Three simulated months, two orgs, on an accelerated clock: what Zoho completes is
/// archived exactly once, POSTs are exactly the schedules made or changed plus the `now`,
/// and retention leaves exactly what `keep` says.
@Suite("Three simulated months")
struct ThreeMonthsTests {
    static let fridays = "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"
    static let mondays = "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO"
    static let monthly = "RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=1"
    static let acmeKeep = "{ last: 3, weekly: 4, monthly: 3, yearly: 0 }"
    static let globexKeep = "{ last: 2, weekly: 0, monthly: 0, yearly: 0 }"

    @Test("weekly and monthly orgs, a `now --replace-schedule` and a rule change along the way")
    func threeMonths() async throws {
        let orgs = [SupervisorHarness.Org(name: "acme", schedule: Self.fridays, keep: Self.acmeKeep),
                    SupervisorHarness.Org(name: "globex", schedule: Self.monthly, keep: Self.globexKeep)]
        try await SupervisorHarness.run(orgs, configure: { $0.monthlyQuota = 10 }) { h in
            let supervisor = try h.supervisor()
            let step = Duration.seconds(6 * 3600)
            await h.cycle(supervisor, times: 4 * 20, step: step)

            // Day 20: an admin runs `now --replace-schedule` for acme (cancel, then an immediate backup).
            let policy = try h.policy()
            let config = SimulatorConfig()
            let credentials = Credentials(clientID: config.clientID, clientSecret: config.clientSecret,
                                          refreshToken: config.refreshToken, path: "test")
            let admin = OrgConnection.client(for: policy.org("acme")!, credentials: credentials, stateDir: h.stateDir,
                                             http: ZohoHTTPClient.shared, clock: h.clock, logger: Logger(label: "admin"))
            let recurring = try #require(try await admin.backupInfo())
            try await admin.cancel(jobID: recurring.id)
            _ = try await admin.schedule(nil)
            await h.cycle(supervisor, times: 4 * 25, step: step)

            // Day 45: the policy moves acme's backups to Mondays.
            await supervisor.reload(try h.policy([.init(name: "acme", schedule: Self.mondays, keep: Self.acmeKeep), orgs[1]]))
            await h.cycle(supervisor, times: 4 * 47, step: step)

            let acme = h.zohos["acme"]!, globex = h.zohos["globex"]!
            // initial schedule + the `now` + the schedule restored after it + the changed rule
            #expect(await acme.count("POST", "/backup") == 4)
            #expect(await acme.count("PUT", "/cancel") == 2) // the admin's and the rule change's
            #expect(await globex.count("POST", "/backup") == 1)
            #expect(await globex.count("PUT", "/cancel") == 0)

            for (name, zoho, keep) in [("acme", acme, RetentionCounts(last: 3, weekly: 4, monthly: 3, yearly: 0)),
                                       ("globex", globex, RetentionCounts(last: 2, weekly: 0, monthly: 0, yearly: 0))] {
                let completed = await zoho.completedJobIDs
                #expect(completed.count >= (name == "acme" ? 13 : 3), "\(name): \(completed.count) backups in three months")
                let archived = h.archived(name)
                let pruned = PrunedJobs.load(archive: h.archivePath(name)).pruned
                #expect(archived.count + pruned.count == completed.count, "\(name): each completed job archived exactly once")
                #expect(Set(archived.map(\.manifest.jobID)).union(pruned.map(\.jobID)) == Set(completed), "\(name)")
                #expect(await zoho.count("GET", "/Data_001.zip") == completed.count, "\(name): each job downloaded once")
                for backup in archived {
                    #expect(await ArchiveFolder(path: h.archivePath(name), org: name, minFree: ByteSize(bytes: 0),
                                                logger: Logger(label: "t")).verify(backup).ok)
                }
                // Retention over every backup ever archived keeps exactly what is left.
                let all = archived.map { Retention.Candidate(id: $0.name, completedAt: $0.manifest.completedAt) }
                    + pruned.map { Retention.Candidate(id: $0.folder, completedAt: Self.completion(of: $0.folder)) }
                let kept = Retention.decide(all, keep: keep, timeZone: TimeZone(identifier: "UTC")!).filter(\.keep).map(\.id)
                #expect(Set(kept) == Set(archived.map(\.name)), "\(name): retention keeps exactly what keep says")
                let state = try #require(await supervisor.worker(name)?.state)
                #expect(state.lostJobs.isEmpty && state.lastError == nil && !state.freshnessAlarm, "\(name)")
            }
        }
    }

    /// The completion time in a backup folder's name (`2026-11-20T093005Z_<job>`).
    static func completion(of folder: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HHmmss'Z'"
        return formatter.date(from: String(folder.prefix(17))) ?? .distantPast
    }
}
