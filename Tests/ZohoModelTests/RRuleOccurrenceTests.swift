import Foundation
import Testing
import TestSupport
import ZohoModel

@Suite("RRULE occurrences")
struct RRuleOccurrenceTests {
    static let utc = TimeZone(identifier: "UTC")!

    static func instant(_ text: String) -> Date {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)!
    }

    static func iso(_ dates: [Date]) -> [String] {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return dates.map { f.string(from: $0) }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String, rule: String, anchor: String, after: String, zone: String, expected: [String]
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "weekly on Friday", rule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR",
             anchor: "2026-11-20T09:30:00Z", after: "2026-11-20T10:00:00Z", zone: "UTC",
             expected: ["2026-11-27T09:30:00Z", "2026-12-04T09:30:00Z", "2026-12-11T09:30:00Z"]),
        Case(name: "the anchor itself is the first occurrence", rule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR",
             anchor: "2026-11-20T09:30:00Z", after: "2026-11-20T09:29:59Z", zone: "UTC",
             expected: ["2026-11-20T09:30:00Z", "2026-11-27T09:30:00Z"]),
        Case(name: "biweekly counts weeks from the anchor's week", rule: "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
             anchor: "2026-11-16T08:00:00Z", after: "2026-11-16T08:00:00Z", zone: "UTC",
             expected: ["2026-11-19T08:00:00Z", "2026-12-03T08:00:00Z", "2026-12-17T08:00:00Z"]),
        Case(name: "biweekly anchored after the weekday skips to the next period",
             rule: "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
             anchor: "2026-11-20T08:00:00Z", after: "2026-11-01T00:00:00Z", zone: "UTC",
             expected: ["2026-12-03T08:00:00Z", "2026-12-17T08:00:00Z", "2026-12-31T08:00:00Z"]),
        Case(name: "biweekly far after the anchor keeps the phase", rule: "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
             anchor: "2026-11-16T08:00:00Z", after: "2027-06-01T00:00:00Z", zone: "UTC",
             expected: ["2027-06-03T08:00:00Z", "2027-06-17T08:00:00Z"]),
        Case(name: "monthly on the 16th", rule: "RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=16",
             anchor: "2026-11-20T00:00:00Z", after: "2026-11-20T00:00:00Z", zone: "UTC",
             expected: ["2026-12-16T00:00:00Z", "2027-01-16T00:00:00Z", "2027-02-16T00:00:00Z"]),
        Case(name: "first Thursday of the month", rule: "RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=1TH",
             anchor: "2026-11-20T02:00:00Z", after: "2026-11-20T02:00:00Z", zone: "UTC",
             expected: ["2026-12-03T02:00:00Z", "2027-01-07T02:00:00Z", "2027-02-04T02:00:00Z"]),
        Case(name: "fourth Thursday of the month", rule: "RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=4TH",
             anchor: "2026-11-20T02:00:00Z", after: "2026-11-20T02:00:00Z", zone: "UTC",
             expected: ["2026-11-26T02:00:00Z", "2026-12-24T02:00:00Z", "2027-01-28T02:00:00Z"]),
        Case(name: "BYMONTHDAY=31 skips short months", rule: "RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=31",
             anchor: "2027-01-01T03:00:00Z", after: "2027-01-01T03:00:00Z", zone: "UTC",
             expected: ["2027-01-31T03:00:00Z", "2027-03-31T03:00:00Z", "2027-05-31T03:00:00Z",
                        "2027-07-31T03:00:00Z", "2027-08-31T03:00:00Z", "2027-10-31T03:00:00Z",
                        "2027-12-31T03:00:00Z"]),
        Case(name: "BYMONTHDAY=29 skips February of a common year only", rule: "RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=29",
             anchor: "2027-01-30T00:00:00Z", after: "2027-01-30T00:00:00Z", zone: "UTC",
             expected: ["2027-03-29T00:00:00Z", "2027-04-29T00:00:00Z"]),
        Case(name: "leap February has the 29th", rule: "RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=29",
             anchor: "2028-01-30T00:00:00Z", after: "2028-01-30T00:00:00Z", zone: "UTC",
             expected: ["2028-02-29T00:00:00Z", "2028-03-29T00:00:00Z"]),
        Case(name: "every other month from the anchor's month", rule: "RRULE:FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=1",
             anchor: "2026-11-20T06:00:00Z", after: "2026-11-20T06:00:00Z", zone: "UTC",
             expected: ["2027-01-01T06:00:00Z", "2027-03-01T06:00:00Z", "2027-05-01T06:00:00Z"]),
        Case(name: "spring DST change keeps the wall-clock time (Berlin)", rule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=SU",
             anchor: "2027-03-21T09:00:00Z", after: "2027-03-20T00:00:00Z", zone: "Europe/Berlin",
             expected: ["2027-03-21T09:00:00Z", "2027-03-28T08:00:00Z", "2027-04-04T08:00:00Z"]),
        Case(name: "autumn DST change keeps the wall-clock time (New York)", rule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=SA",
             anchor: "2026-10-24T06:00:00Z", after: "2026-10-24T00:00:00Z", zone: "America/New_York",
             expected: ["2026-10-24T06:00:00Z", "2026-10-31T06:00:00Z", "2026-11-07T07:00:00Z"]),
        Case(name: "the org's zone decides the day (Tokyo Monday is UTC Sunday)", rule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO",
             anchor: "2026-11-22T16:00:00Z", after: "2026-11-22T00:00:00Z", zone: "Asia/Tokyo",
             expected: ["2026-11-22T16:00:00Z", "2026-11-29T16:00:00Z"]),
    ])
    func occurrences(_ c: Case) throws {
        let rule = try RRule(parsing: c.rule)
        let zone = try #require(TimeZone(identifier: c.zone))
        let got = rule.occurrences(after: Self.instant(c.after), anchor: Self.instant(c.anchor),
                                   timeZone: zone, limit: c.expected.count)
        #expect(Self.iso(got) == c.expected)
        #expect(rule.nextOccurrence(after: Self.instant(c.after), anchor: Self.instant(c.anchor), timeZone: zone)
                == got.first)
    }

    /// The four edge minutes on seven consecutive days, from a Monday.
    static let edgeInstants = EdgeHours.instants(days: 0..<7)

    @Test("the weekday is the zone's, at the hours where it differs from UTC's", arguments: edgeInstants)
    func zonedWeekdayAtTheEdgeHours(_ anchor: Double) throws {
        let zone = try #require(TimeZone(identifier: "Asia/Kolkata"))
        let now = Date(timeIntervalSince1970: anchor)
        let tomorrow = Calendar.gregorian(in: zone).civil(now.addingTimeInterval(86_400)).0
        let weekday = try #require(Weekday.allCases.first { $0.daysSinceMonday == tomorrow.daysSinceMonday })
        let rule = try RRule(parsing: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=\(weekday.rawValue)")
        // Named after tomorrow in Kolkata, it fires exactly a day on, at the anchor's wall-clock time.
        #expect(rule.nextOccurrence(after: now, anchor: now, timeZone: zone) == now.addingTimeInterval(86_400))
        let utcTomorrow = CivilDate(dayNumber: Int((anchor / 86_400).rounded(.down)) + 1)
        if utcTomorrow.daysSinceMonday != tomorrow.daysSinceMonday {
            // The UTC day names another weekday: from 18:30 UTC on, Kolkata's tomorrow is UTC's day after.
            #expect(CivilDate(dayNumber: utcTomorrow.dayNumber + 1).daysSinceMonday == tomorrow.daysSinceMonday)
        }
    }

    @Test func ruleThatCanNeverFireFromItsAnchorEnds() throws {
        // Every 12 months from February: there is never a 30th.
        let rule = try RRule(parsing: "RRULE:FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=30")
        let anchor = Self.instant("2027-02-01T00:00:00Z")
        #expect(rule.occurrences(after: anchor, anchor: anchor, timeZone: Self.utc, limit: 3).isEmpty)
    }

    @Test(arguments: [
        ("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR", 7, 9),
        ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", 14, 16),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=16", 31, 33),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=1TH", 35, 37),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=31", 61, 63),
        ("RRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1", 92, 94),
    ])
    func longestGapAndDefaultMaxAge(_ text: String, _ gapDays: Int, _ maxAgeDays: Int) throws {
        let rule = try RRule(parsing: text)
        #expect(rule.longestGap == .seconds(gapDays * 86_400))
        #expect(BackupSchedule.rrule(rule).defaultMaxAge == .seconds(maxAgeDays * 86_400))
    }

    @Test func civilDateRoundTrips() {
        for n in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CivilDate(dayNumber: n).dayNumber == n)
        }
        #expect(CivilDate(year: 1970, month: 1, day: 1).dayNumber == 0)
        #expect(CivilDate(year: 2026, month: 11, day: 20).daysSinceMonday == Weekday.friday.daysSinceMonday)
    }
}
