import Foundation
import Reconcile
import Testing

/// `Quota.nextMonthStart`: when `LIMIT_EXCEEDED` ends, the month counted in the org's zone.
@Suite("Quota.nextMonthStart")
struct QuotaTests {
    struct Case: Sendable, CustomTestStringConvertible {
        /// The rule this row proves.
        var rule: String
        var now: Date
        var zone: TimeZone
        var expected: Date

        init(rule: String, now: String, zone: String, expected: String) {
            self.rule = rule
            self.now = QuotaTests.date(now)
            self.zone = TimeZone(identifier: zone)!
            self.expected = QuotaTests.date(expected)
        }

        var testDescription: String { rule }
    }

    static func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    @Test(arguments: [
        Case(rule: "mid-month in UTC: the 1st of the next month",
             now: "2027-01-15T08:00:00Z", zone: "UTC", expected: "2027-02-01T00:00:00Z"),
        Case(rule: "mid-month in Berlin: midnight of the 1st in Berlin (CET)",
             now: "2027-01-15T08:00:00Z", zone: "Europe/Berlin", expected: "2027-01-31T23:00:00Z"),
        Case(rule: "last second of a month: the very next second",
             now: "2027-01-31T23:59:59Z", zone: "UTC", expected: "2027-02-01T00:00:00Z"),
        Case(rule: "first second of a month belongs to that month",
             now: "2027-02-01T00:00:00Z", zone: "UTC", expected: "2027-03-01T00:00:00Z"),
        Case(rule: "December to January of the next year",
             now: "2027-12-20T12:00:00Z", zone: "UTC", expected: "2028-01-01T00:00:00Z"),
        Case(rule: "last second of December",
             now: "2027-12-31T23:59:59Z", zone: "UTC", expected: "2028-01-01T00:00:00Z"),
        Case(rule: "Auckland is in February while UTC is still in January",
             now: "2027-01-31T12:00:00Z", zone: "Pacific/Auckland", expected: "2027-02-28T11:00:00Z"),
        Case(rule: "Auckland is in the new year while UTC is still in December",
             now: "2027-12-31T12:00:00Z", zone: "Pacific/Auckland", expected: "2028-01-31T11:00:00Z"),
        Case(rule: "Auckland: the next month starts after daylight time has ended (NZST)",
             now: "2027-04-15T00:00:00Z", zone: "Pacific/Auckland", expected: "2027-04-30T12:00:00Z"),
        Case(rule: "Los Angeles is still in January while UTC is in February",
             now: "2027-02-01T05:00:00Z", zone: "America/Los_Angeles", expected: "2027-02-01T08:00:00Z"),
        Case(rule: "Los Angeles is still in December while UTC is in the new year",
             now: "2028-01-01T03:00:00Z", zone: "America/Los_Angeles", expected: "2028-01-01T08:00:00Z"),
        Case(rule: "Los Angeles: the next month starts in daylight time (PDT)",
             now: "2027-03-20T12:00:00Z", zone: "America/Los_Angeles", expected: "2027-04-01T07:00:00Z"),
        Case(rule: "leap February: March 1st",
             now: "2028-02-15T12:00:00Z", zone: "UTC", expected: "2028-03-01T00:00:00Z"),
        Case(rule: "February 28th of a leap year is not the month's end",
             now: "2028-02-28T23:59:59Z", zone: "UTC", expected: "2028-03-01T00:00:00Z"),
        Case(rule: "last second of February 29th",
             now: "2028-02-29T23:59:59Z", zone: "UTC", expected: "2028-03-01T00:00:00Z"),
        Case(rule: "last second of a February that is not leap",
             now: "2027-02-28T23:59:59Z", zone: "UTC", expected: "2027-03-01T00:00:00Z"),
    ])
    func nextMonthStart(_ c: Case) {
        #expect(Quota.nextMonthStart(after: c.now, timeZone: c.zone) == c.expected)
    }
}
