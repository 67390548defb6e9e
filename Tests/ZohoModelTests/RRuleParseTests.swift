import Testing
import ZohoModel

@Suite("RRULE parsing")
struct RRuleParseTests {
    /// Every example on Zoho's "Schedule Data Backup" page (seed 000), plus the sample input.
    @Test(arguments: [
        ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", RRule.Frequency.weekly, 2, RRule.Day.weekday(.thursday, ordinal: nil)),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=16", .monthly, 1, .monthDay(16)),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=1TH", .monthly, 1, .weekday(.thursday, ordinal: 1)),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=4TH", .monthly, 1, .weekday(.thursday, ordinal: 4)),
        ("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR", .weekly, 1, .weekday(.friday, ordinal: nil)),
        ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", .weekly, 2, .weekday(.tuesday, ordinal: nil)),
        ("RRULE:FREQ=WEEKLY;INTERVAL=52;BYDAY=SU", .weekly, 52, .weekday(.sunday, ordinal: nil)),
        ("RRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=31", .monthly, 3, .monthDay(31)),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=SA", .monthly, 1, .weekday(.saturday, ordinal: nil)),
    ])
    func acceptsSeedExamples(_ text: String, _ freq: RRule.Frequency, _ interval: Int, _ day: RRule.Day) throws {
        let rule = try RRule(parsing: text)
        #expect(rule.frequency == freq)
        #expect(rule.interval == interval)
        #expect(rule.day == day)
        #expect(rule.normalized == text)
    }

    @Test func normalFormIgnoresPartOrder() throws {
        let a = try RRule(parsing: "BYDAY=FR;INTERVAL=1;FREQ=WEEKLY", requirePrefix: false)
        let b = try RRule(parsing: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR")
        let c = try RRule(parsing: "RRULE:INTERVAL=1;BYDAY=FR;FREQ=WEEKLY")
        #expect(a == b)
        #expect(b == c)
        #expect(a.normalized == "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR")
        #expect(try RRule(parsing: "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR") != b)
    }

    @Test(arguments: [
        ("", RRuleError.empty),
        ("FREQ=WEEKLY;INTERVAL=1;BYDAY=FR", .missingPrefix),
        ("rrule:freq=weekly;interval=1;byday=fr", .notUpperCase),
        ("RRULE:FREQ=WEEKLY; INTERVAL=1;BYDAY=FR", .whitespace),
        ("RRULE:", .missingFrequency),
        ("RRULE:INTERVAL=1;BYDAY=FR", .missingFrequency),
        ("RRULE:FREQ=DAILY;INTERVAL=1;BYDAY=FR", .unsupportedFrequency("DAILY")),
        ("RRULE:FREQ=YEARLY;INTERVAL=1;BYMONTHDAY=1", .unsupportedFrequency("YEARLY")),
        ("RRULE:FREQ=WEEKLY;BYDAY=FR", .missingInterval),
        ("RRULE:FREQ=WEEKLY;INTERVAL=0;BYDAY=FR", .intervalOutOfRange("0")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=53;BYDAY=FR", .intervalOutOfRange("53")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=60;BYDAY=FR", .intervalOutOfRange("60")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=-1;BYDAY=FR", .intervalOutOfRange("-1")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=TWO;BYDAY=FR", .intervalOutOfRange("TWO")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=1", .missingDay),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=FR;BYMONTHDAY=1", .bothDayAndMonthDay),
        ("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,FR", .multipleDays("MO,FR")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=XX", .unknownWeekday("XX")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=F", .unknownWeekday("F")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=1FR", .ordinalNeedsMonthly("1")),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=5FR", .ordinalOutOfRange("5")),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR", .ordinalOutOfRange("-1")),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=0FR", .ordinalOutOfRange("0")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=1;BYMONTHDAY=16", .monthDayNeedsMonthly),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=0", .monthDayOutOfRange("0")),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=32", .monthDayOutOfRange("32")),
        ("RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=-1", .monthDayOutOfRange("-1")),
        ("RRULE:FREQ=DAILY;COUNT=3", .unsupportedPart("COUNT")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR;UNTIL=20270101T000000Z", .unsupportedPart("UNTIL")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR;WKST=SU", .unsupportedPart("WKST")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=1;INTERVAL=2;BYDAY=FR", .duplicatePart("INTERVAL")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY", .malformedPart("BYDAY")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR;", .malformedPart("")),
        ("RRULE:FREQ=WEEKLY;INTERVAL=;BYDAY=FR", .malformedPart("INTERVAL=")),
    ])
    func refuses(_ text: String, _ expected: RRuleError) {
        #expect(throws: expected) { try RRule(parsing: text) }
        // Every refusal explains itself in words a policy author can act on.
        #expect(expected.description.count > 20)
    }

    @Test func refusalNamesTheBadValue() {
        #expect(RRuleError.intervalOutOfRange("60").description == "INTERVAL must be 1–52, got 60")
        #expect(RRuleError.unsupportedFrequency("DAILY").description.contains("WEEKLY or MONTHLY"))
    }

    @Test(arguments: [
        ("none", BackupSchedule.none),
        ("unmanaged", .unmanaged),
    ])
    func keywords(_ text: String, _ expected: BackupSchedule) throws {
        #expect(try BackupSchedule(parsing: text) == expected)
        #expect(expected.description == text)
        #expect(expected.defaultMaxAge == nil)
    }

    @Test func scheduleKeywordsAreExact() {
        #expect(throws: RRuleError.notUpperCase) { try BackupSchedule(parsing: "None") }
        #expect(throws: RRuleError.missingPrefix) { try BackupSchedule(parsing: "WEEKLY") }
    }
}
