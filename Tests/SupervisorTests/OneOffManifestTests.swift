import BackupArchive
import Foundation
import Supervisor
import Testing
import ZohoModel
import ZohoSimulator

/// The manifest says what made a backup: the rule of the schedule whose occurrence it was,
/// or `"kind": "one-off"` with no rule for a `now` made while a schedule exists.
@Suite("What made a backup, in its manifest")
struct OneOffManifestTests {
    static let fridays = "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"

    @Test("a one-off backup made while a schedule exists (now --replace-schedule, through the engine) has rrule null and kind one-off; the schedule's next occurrence has its rule")
    func oneOffWhileScheduled() async throws {
        try await SupervisorHarness.run([.init(name: "acme", schedule: Self.fridays)]) { h in
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, times: 2, step: .seconds(60))
            let engine = try #require(await supervisor.worker("acme"))
            let request = await engine.requestImmediate(replaceSchedule: true)
            #expect(request.outcome == .requested, "\(request.lines)")
            #expect(request.replacedRule == Self.fridays)

            // The one-off completes, is archived; the schedule is restored; a week later its occurrence is archived too.
            await h.cycle(supervisor, times: 8 * 24, step: .seconds(3600))
            let manifests = h.archived("acme").map(\.manifest)
            #expect(manifests.count >= 2, "\(manifests.map(\.jobID))")
            let oneOff = try #require(manifests.first)
            #expect(oneOff.format == Manifest.currentFormat)
            #expect(oneOff.kind == .oneOff && oneOff.rrule == nil, "\(oneOff)")
            for scheduled in manifests.dropFirst() {
                #expect(scheduled.kind == .recurring && scheduled.rrule == Self.fridays, "\(scheduled)")
            }
            let text = try String(contentsOfFile: h.archived("acme")[0].folder + "/manifest.json", encoding: .utf8)
            #expect(text.contains(#""kind" : "one-off""#) && text.contains(#""format" : 2"#) && !text.contains("zoho_log_time"), "\(text)")
            #expect(!text.contains(#""rrule""#) || text.contains(#""rrule" : null"#), "no rule for a one-off: \(text)")
        }
    }
}
