import Foundation
import Testing
import TestSupport
import ZohoAPI
import ZohoModel
import ZohoSimulator

/// The simulator's schedule over weeks of the manual clock, seen through the client.
@Suite("Simulated schedules")
struct SimulatorScheduleTests {
    @Test func everyOccurrenceRunsAsANewJobWithinTheMonthlyQuota() async throws {
        try await Harness.run({ $0.monthlyQuota = 2 }) { h async throws in
            let rule = try RRule(parsing: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR")
            let scheduleID = try await h.client.schedule(rule)
            var jobs: [String] = []
            var outcomes: [BackupStatus] = []
            for week in 1...5 {
                // To one second into the next run, then past its completion.
                let next = try #require(try await h.client.backupInfo()?.scheduledDate)
                h.clock.advance(by: .seconds(next.timeIntervalSince1970 - h.clock.now + 1))
                let running = try #require(try await h.client.backupInfo())
                #expect(running.id == scheduleID, "between and during runs, GET /backup shows the schedule")
                #expect(running.status == .inProgress, "week \(week): the run is under way")
                h.clock.advance(by: .seconds(3))
                let after = try #require(try await h.client.backupInfo())
                #expect(after.status == .scheduled)
                #expect(after.scheduledDate.map { $0.timeIntervalSince1970 - h.clock.now } ?? 0 > 6 * 86_400, "next run a week on")
                if let urls = try await h.client.downloadURLs(), let job = DownloadLink(urls.dataLinks[0])?.jobID, !jobs.contains(job) {
                    jobs.append(job)
                }
                let history = try await h.client.history()
                outcomes.append(history.first?.state == "completed" ? .completed : .failed)
            }
            #expect(Set(jobs).count == jobs.count, "each run's links carry a new job id")
            // Fridays from 2026-11-27: two in November's quota (27th is November; Dec 4, 11 are December).
            #expect(outcomes.filter { $0 == .completed }.count >= 2)
            #expect(outcomes.contains(.failed), "a run beyond the monthly quota ends FAILED")
            #expect(await h.zoho.count("POST", "/backup") == 1)
        }
    }

    @Test func biweeklyKeepsItsPhase() async throws {
        try await Harness.run { h async throws in
            _ = try await h.client.schedule(try RRule(parsing: "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"))
            let first = try #require(try await h.client.backupInfo()?.scheduledDate)
            h.clock.advance(by: .seconds(first.timeIntervalSince1970 - h.clock.now + 10))
            _ = try await h.client.backupInfo()
            h.clock.advance(by: .seconds(5))
            let next = try #require(try await h.client.backupInfo()?.scheduledDate)
            #expect(next.timeIntervalSince(first) == 14 * 86_400)
        }
    }

    /// The four edge minutes on a Sunday and a Monday (2026-12-06 and 07), where Kolkata's
    /// day and week turn before UTC's (the expansion itself is tested on every weekday in
    /// RRuleOccurrenceTests).
    static let edgeInstants = EdgeHours.instants(days: 6..<8)

    @Test("a weekly schedule's first run is on the weekday named, in the user's zone, at the edge hours", arguments: edgeInstants)
    func firstRunOnTheZonedWeekday(_ instant: Double) async throws {
        try await Harness.run { h async throws in
            h.clock.advance(by: .seconds(instant - h.clock.now))
            let zone = SimulatorConfig().userTimeZone
            let calendar = Calendar.gregorian(in: zone)
            let now = Date(timeIntervalSince1970: instant)
            let tomorrow = calendar.civil(now.addingTimeInterval(86_400)).0
            let weekday = try #require(Weekday.allCases.first { $0.daysSinceMonday == tomorrow.daysSinceMonday })
            _ = try await h.client.schedule(try RRule(parsing: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=\(weekday.rawValue)"))
            let next = try #require(try await h.client.backupInfo()?.scheduledDate)
            #expect(next == now.addingTimeInterval(86_400), "tomorrow in \(zone.identifier), at the request's time of day")
        }
    }
}
