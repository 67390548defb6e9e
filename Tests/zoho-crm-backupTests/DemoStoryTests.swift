import Foundation
import Testing
import TestSupport
import ZohoModel
@testable import zoho_crm_backup

/// `demo` tells the same story whenever it is started: its simulated weeks are aligned to
/// midnight in the simulated Zoho user's zone (Asia/Kolkata, UTC+5:30), so neither the UTC
/// hour nor the weekday of the wall clock changes what happens.
@Suite("the demo at any hour")
struct DemoStoryTests {
    static let kolkata = TimeZone(identifier: "Asia/Kolkata")!
    /// Every edge minute (TestSupport.EdgeHours) on every day of a week.
    static let everyEdge = EdgeHours.instants(days: 0..<7)

    /// The whole demo, two processes at a time, costs about 1.3 s a run: one run per weekday,
    /// the four edge minutes in turn, and Sunday (where Kolkata's week turns at 18:30 UTC) on
    /// both sides of that edge.
    static let demoRuns: [Double] = {
        func at(day: Int, edge: Int) -> Double { EdgeHours.monday + Double(day * 86_400 + EdgeHours.seconds[edge]) }
        var instants: [Double] = []
        for day in 0..<7 { instants.append(at(day: day, edge: day % 4)) }
        instants.append(at(day: 6, edge: 0))
        instants.append(at(day: 6, edge: 1))
        return instants
    }()

    /// The demo's output with what legitimately differs between runs replaced: its folder,
    /// times and the committed folders' names (which carry the time).
    static func normalised(_ output: String, folder: String) -> String {
        var text = output.replacingOccurrences(of: folder, with: "<root>")
        let patterns = [
            (#"\d{4}-\d{2}-\d{2}T\d{6}Z_"#, "<time>_"),            // committed folder names
            (#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}"#, "<time>"),  // list's dates (Zoho's form)
            (#"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"#, "<time>"),       // the narrative's and status's times
        ]
        for (pattern, replacement) in patterns {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }

    struct Run: Sendable {
        var wallClock: Double
        var status: Int32
        var story: String
        var backups: Int
        /// The simulated parts were cached in the demo's own folder (not a shared /tmp name).
        var contentInFolder: Bool
    }

    static func runDemo(at wallClock: Double) throws -> Run {
        let folder = try makeTemporaryFolder("demo-at-\(Int(wallClock))")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let r = try CommandRunner.run(["demo", "--folder", folder, "--wall-clock", String(Int(wallClock))])
        let backups = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/archive/acme"))?
            .filter { !$0.hasPrefix(".") }.count ?? 0
        let content = FileManager.default.fileExists(atPath: folder + "/simulator-content")
        return Run(wallClock: wallClock, status: r.status, story: normalised(r.stdout, folder: folder) + r.stderr, backups: backups,
                   contentInFolder: content)
    }

    /// Runs the demos two at a time (one per core), in the order given.
    static func runDemos(at instants: [Double]) async throws -> [Run] {
        try await withThrowingTaskGroup(of: (Int, Run).self) { group in
            var results = [Run?](repeating: nil, count: instants.count)
            var next = 0
            func start() {
                let index = next, instant = instants[index]
                // Each demo waits for a child process: on a thread of its own, never the cooperative pool's.
                group.addTask { (index, try await offThePool { try runDemo(at: instant) }) }
                next += 1
            }
            while next < min(2, instants.count) { start() }
            while let (index, run) = try await group.next() {
                results[index] = run
                if next < instants.count { start() }
            }
            return results.compactMap { $0 }
        }
    }

    @Test("the simulated start is a Monday midnight in the Zoho user's zone, at least --days before today, less than a week more; the schedule names Tuesday",
          arguments: everyEdge)
    func timelineIsAligned(_ wallClock: Double) throws {
        let timeline = DemoTimeline(wallClock: wallClock, days: 21, zone: Self.kolkata)
        let calendar = Calendar.gregorian(in: Self.kolkata)
        let (startDay, startTime) = calendar.civil(Date(timeIntervalSince1970: timeline.start))
        let (today, _) = calendar.civil(Date(timeIntervalSince1970: wallClock))
        #expect(startDay.daysSinceMonday == 0)
        #expect(startTime == TimeOfDay(hour: 0, minute: 0, second: 0))
        #expect((21..<28).contains(today.dayNumber - startDay.dayNumber))
        #expect(timeline.weekday == .tuesday)
    }

    @Test("every weekday, at 18:29, 18:31, 23:59 and 00:01 UTC: three acme backups, one prune, the mass-change alarm and its hold, globex's backup, the same lines in the same order")
    func storyIsTheSameOnEveryWeekday() async throws {
        let runs = try await Self.runDemos(at: Self.demoRuns)
        #expect(runs.count == Self.demoRuns.count)
        let reference = try #require(runs.first)
        for run in runs {
            let at = Date(timeIntervalSince1970: run.wallClock)
            #expect(run.status == 0, "demo at \(at): \(run.story)")
            #expect(run.backups == 2, "demo at \(at): two acme backups kept")
            #expect(run.story.components(separatedBy: "[acme] archived backup").count - 1 == 3, "demo at \(at): three acme backups\n\(run.story)")
            #expect(run.story.components(separatedBy: "[acme] retention removed backup").count - 1 == 1, "demo at \(at): one prune\n\(run.story)")
            #expect(run.story.contains("[globex] archived backup"), "demo at \(at)\n\(run.story)")
            #expect(run.contentInFolder, "demo at \(at): its parts come from its own folder")
            #expect(run.story.contains("Zoho shows acme: SCHEDULED RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TU"))
            #expect(run.story.contains("Zoho shows acme: INPROGRESS RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TU"))
            #expect(run.story.contains("acme: 2 backups in <root>/archive/acme"))
            #expect(run.story.contains("globex: 1 backup in <root>/archive/globex"))
            #expect(run.story.components(separatedBy: "[acme] mass change: Contacts lost").count - 1 == 1, "demo at \(at): the alarm once\n\(run.story)")
            #expect(run.story.contains("MASS CHANGE: Contacts lost"), "demo at \(at): status shows it\n\(run.story)")
            #expect(run.story.contains("HELD — last backup before the mass change of Contacts"), "demo at \(at): list shows the hold\n\(run.story)")
            #expect(run.story.contains("── zoho-crm-backup diff --org acme --module Contacts ──"), "demo at \(at)\n\(run.story)")
            #expect(run.story.contains("  Contacts: 61 rows"), "demo at \(at): the deleted Contacts restored\n\(run.story)")
            #expect(run.story == reference.story, "demo at \(at) tells another story than at \(Date(timeIntervalSince1970: reference.wallClock))")
        }
    }
}
