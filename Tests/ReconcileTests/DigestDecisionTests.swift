import Foundation
import Reconcile
import Testing

/// When the daily digest is due, as a table.
@Suite("Daily digest decision")
struct DigestDecisionTests {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    /// 2026-12-01 in Berlin at `hour`:`minute`.
    static func at(_ hour: Int, _ minute: Int = 0, day: Int = 1) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = berlin
        return calendar.date(from: DateComponents(year: 2026, month: 12, day: day, hour: hour, minute: minute))!
    }

    @Test("due once a day at its time in the zone; never right after a first start", arguments: [
        (Optional(at(6, 59)), at(7, 0), true),          // the time came
        (Optional(at(6, 0)), at(6, 59), false),         // not yet
        (Optional(at(7, 0)), at(9, 0), false),          // sent today already
        (Optional(at(7, 0)), at(7, 0, day: 2), true),   // the next day
        (Optional(at(7, 0)), at(6, 0, day: 2), false),  // the next day, before its time
        (Optional(at(7, 0)), at(12, 0, day: 4), true),  // a daemon down for days: one digest, not three
        (Date?.none, at(7, 0), false),                  // no record yet: from the next time on
    ])
    func due(last: Date?, now: Date, expected: Bool) {
        #expect(Reconcile.digestDue(last: last, minuteOfDay: 7 * 60, now: now, timeZone: Self.berlin) == expected)
    }

    @Test("the digest: one line block per org, the alarms named in its first line")
    func report() {
        let calm = Reconcile.digestReport(host: "backup1", orgs: [("acme", ["newest backup b1, 2d old"], false)])
        #expect(calm.message == "zoho-crm-backup on backup1: 1 org, no alarm\n\nacme:\n  newest backup b1, 2d old" && calm.alert == .dailyDigest)
        let alarmed = Reconcile.digestReport(host: "backup1", orgs: [("acme", [], false), ("beta", ["ALARM: no recent backup"], true)])
        #expect(alarmed.message.hasPrefix("zoho-crm-backup on backup1: 2 orgs, ALARM for beta") && alarmed.level == .warning && alarmed.hint != nil)
    }
}
