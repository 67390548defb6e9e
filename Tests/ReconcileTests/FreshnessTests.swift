import Foundation
import Reconcile
import Testing

@Suite("Freshness")
struct FreshnessTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let nine = Duration.seconds(9 * 86_400)

    static func daysAgo(_ days: Double) -> Date { now - days * 86_400 }
    static func days(_ n: Int) -> Duration { .seconds(n * 86_400) }

    struct Case: Sendable {
        var newest: Date?
        var since: Date
        var maxAge: Duration?
        var expected: Freshness
    }

    @Test(arguments: [
        Case(newest: daysAgo(8), since: daysAgo(100), maxAge: nine, expected: .fresh(age: days(8), limit: nine)),
        Case(newest: daysAgo(10), since: daysAgo(100), maxAge: nine, expected: .stale(age: days(10), limit: nine)),
        Case(newest: daysAgo(9), since: daysAgo(100), maxAge: nine, expected: .fresh(age: nine, limit: nine)),
        Case(newest: nil, since: daysAgo(2), maxAge: nine, expected: .awaitingFirst(watched: days(2), limit: nine)),
        Case(newest: nil, since: daysAgo(30), maxAge: nine, expected: .missing(watched: days(30), limit: nine)),
        Case(newest: daysAgo(400), since: daysAgo(500), maxAge: nil, expected: .unlimited),
        Case(newest: now + 60, since: now, maxAge: nine, expected: .fresh(age: .zero, limit: nine)),
    ])
    func decides(_ c: Case) {
        #expect(Freshness.evaluate(newestBackup: c.newest, watchingSince: c.since, maxAge: c.maxAge, now: Self.now) == c.expected)
    }

    @Test func onlyStaleAndMissingAlarm() {
        #expect(Freshness.stale(age: .seconds(2), limit: .seconds(1)).isAlarm)
        #expect(Freshness.missing(watched: .seconds(2), limit: .seconds(1)).isAlarm)
        #expect(!Freshness.fresh(age: .seconds(1), limit: .seconds(2)).isAlarm)
        #expect(!Freshness.awaitingFirst(watched: .seconds(1), limit: .seconds(2)).isAlarm)
        #expect(!Freshness.unlimited.isAlarm)
    }
}
