import BackupArchive
import Foundation
import Testing
import ZohoModel

@Suite("Retention")
struct RetentionTests {
    static let utc = TimeZone(identifier: "UTC")!

    static func at(_ text: String) -> Date { ZohoDate.parse(text)! }

    static func candidates(_ times: [String]) -> [Retention.Candidate] {
        times.map { Retention.Candidate(id: $0, completedAt: at($0)) }
    }

    static func kept(_ decisions: [Retention.Decision]) -> [String] { decisions.filter(\.keep).map(\.id) }

    @Test func lastN() {
        let backups = Self.candidates(["2027-01-01T00:00:00Z", "2027-01-02T00:00:00Z", "2027-01-03T00:00:00Z", "2027-01-04T00:00:00Z"])
        let decisions = Retention.decide(backups, keep: RetentionCounts(last: 2, weekly: 0, monthly: 0, yearly: 0), timeZone: Self.utc)
        #expect(decisions.map(\.description) == [
            "kept: last #1", "kept: last #2",
            "removed: beyond keep.last=2", "removed: beyond keep.last=2",
        ])
        #expect(decisions.map(\.id) == ["2027-01-04T00:00:00Z", "2027-01-03T00:00:00Z", "2027-01-02T00:00:00Z", "2027-01-01T00:00:00Z"])
    }

    @Test func aYearOfWeeklyBackupsWithTheDefaultPolicy() {
        // Every Friday of 2027 but the last: 52 backups, 2027-01-01 … 2027-12-24.
        let first = Self.at("2027-01-01T09:30:00Z")
        let backups = (0..<52).map { week in
            let date = first.addingTimeInterval(Double(week) * 7 * 86_400)
            return Retention.Candidate(id: ZohoDate.format(date, in: Self.utc), completedAt: date)
        }
        let decisions = Retention.decide(backups, keep: .default, timeZone: Self.utc)
        let kept = Self.kept(decisions).map { String($0.prefix(10)) }
        #expect(kept == [
            "2027-12-24", "2027-12-17", "2027-12-10", "2027-12-03",   // last 4, weekly 1–4, December
            "2027-11-26", "2027-11-19", "2027-11-12", "2027-11-05",   // weekly 5–8, November
            "2027-10-29", "2027-09-24", "2027-08-27", "2027-07-30",   // the newest of each earlier month
            "2027-06-25", "2027-05-28", "2027-04-30", "2027-03-26", "2027-02-26", "2027-01-29",
        ])
        #expect(decisions.first?.reasons == ["last #1", "weekly #1 (2027-W51)", "monthly #1 (2027-12)", "yearly #1 (2027)"])
        #expect(decisions.first { $0.id.hasPrefix("2027-01-29") }?.reasons == ["monthly #12 (2027-01)"])
        #expect(decisions.first { $0.id.hasPrefix("2027-01-22") }?.description == "removed: beyond keep.last=4, keep.weekly=8, keep.monthly=12, keep.yearly=3")
        #expect(decisions.filter { !$0.keep }.count == 34)
    }

    @Test func yearBoundaryIsTheOrgsYear() {
        let backups = Self.candidates(["2026-12-31T23:30:00Z", "2027-01-01T00:30:00Z"])
        let keep = RetentionCounts(last: 0, weekly: 0, monthly: 0, yearly: 2)
        #expect(Self.kept(Retention.decide(backups, keep: keep, timeZone: Self.utc)).count == 2, "two years in UTC")
        let newYork = TimeZone(identifier: "America/New_York")!
        let decisions = Retention.decide(backups, keep: keep, timeZone: newYork)
        #expect(Self.kept(decisions) == ["2027-01-01T00:30:00Z"], "both are 31 December in New York")
        #expect(decisions.first?.reasons == ["yearly #1 (2026)"])
    }

    @Test func weekBoundaryAcrossTheDSTChangeIsTheOrgsWeek() {
        // Berlin moves to CEST on 2027-03-28: 21:30Z is Sunday 23:30, 22:30Z is Monday 00:30.
        let backups = Self.candidates(["2027-03-28T21:30:00Z", "2027-03-28T22:30:00Z"])
        let keep = RetentionCounts(last: 0, weekly: 2, monthly: 0, yearly: 0)
        let berlin = Retention.decide(backups, keep: keep, timeZone: TimeZone(identifier: "Europe/Berlin")!)
        #expect(berlin.map(\.description) == ["kept: weekly #1 (2027-W13)", "kept: weekly #2 (2027-W12)"])
        let utc = Retention.decide(backups, keep: keep, timeZone: Self.utc)
        #expect(Self.kept(utc) == ["2027-03-28T22:30:00Z"], "one ISO week in UTC")
    }

    @Test func newestIsAlwaysKept() {
        let backups = Self.candidates(["2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z"])
        let decisions = Retention.decide(backups, keep: RetentionCounts(last: 0, weekly: 0, monthly: 0, yearly: 0), timeZone: Self.utc)
        #expect(decisions.map(\.description) == ["kept: newest backup (always kept)", "removed: no keep rule keeps it"])
    }

    @Test func monthlyCountsMonthsThatHaveABackup() {
        // A gap (no backup in February) does not use up a monthly slot.
        let backups = Self.candidates(["2027-01-15T00:00:00Z", "2027-03-15T00:00:00Z", "2027-03-20T00:00:00Z"])
        let decisions = Retention.decide(backups, keep: RetentionCounts(last: 0, weekly: 0, monthly: 2, yearly: 0), timeZone: Self.utc)
        #expect(decisions.map(\.description) == ["kept: monthly #1 (2027-03)", "removed: beyond keep.monthly=2", "kept: monthly #2 (2027-01)"])
    }
}
