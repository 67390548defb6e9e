/// A backup recurrence rule in exactly the subset Zoho CRM's backup API accepts.
///
/// Zoho documents (`POST /crm/bulk/v7/backup`): `FREQ` WEEKLY or MONTHLY, `INTERVAL` 1–52
/// (required), and either one `BYDAY` value (SU…SA, with an ordinal 1–4 only for MONTHLY) or
/// `BYMONTHDAY` 1–31 (MONTHLY only). Nothing else is accepted: anything outside the subset is
/// refused by ``init(parsing:requirePrefix:)`` with the reason.
///
/// Two rules are equal when their normal forms are equal, so
/// `BYDAY=FR;INTERVAL=1;FREQ=WEEKLY` equals `RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR`.
public struct RRule: Hashable, Sendable, CustomStringConvertible {
    /// How often the rule repeats.
    public enum Frequency: String, Hashable, Sendable, CaseIterable {
        case weekly = "WEEKLY"
        case monthly = "MONTHLY"
    }

    /// Which day of the period a backup happens on.
    public enum Day: Hashable, Sendable {
        /// `BYDAY=FR` (every such weekday of the period) or, for MONTHLY, `BYDAY=2FR`
        /// (the second Friday of the month).
        case weekday(Weekday, ordinal: Int?)
        /// `BYMONTHDAY=16`; a month without that day has no backup (RFC 5545).
        case monthDay(Int)
    }

    public let frequency: Frequency
    /// The gap between periods that have a backup, 1–52.
    public let interval: Int
    public let day: Day

    /// Creates a rule from parts already known to be in the subset.
    ///
    /// - Important: Use ``init(parsing:requirePrefix:)`` for text from a user or from Zoho;
    ///   this initialiser checks the same rules and throws the same reasons.
    public init(frequency: Frequency, interval: Int, day: Day) throws(RRuleError) {
        guard (1...52).contains(interval) else { throw .intervalOutOfRange(String(interval)) }
        switch (frequency, day) {
        case (.weekly, .monthDay):
            throw .monthDayNeedsMonthly
        case (.weekly, .weekday(_, ordinal: .some(let n))):
            throw .ordinalNeedsMonthly("\(n)")
        case (.monthly, .weekday(_, ordinal: .some(let n))) where !(1...4).contains(n):
            throw .ordinalOutOfRange("\(n)")
        case (.monthly, .monthDay(let d)) where !(1...31).contains(d):
            throw .monthDayOutOfRange(String(d))
        default:
            break
        }
        self.frequency = frequency
        self.interval = interval
        self.day = day
    }

    /// The rule's normal form: `RRULE:FREQ=…;INTERVAL=…;BYDAY=…` (or `BYMONTHDAY=…`),
    /// the form the daemon sends to Zoho and compares with.
    public var normalized: String {
        let dayPart: String
        switch day {
        case .weekday(let weekday, let ordinal):
            dayPart = "BYDAY=\(ordinal.map(String.init) ?? "")\(weekday.rawValue)"
        case .monthDay(let d):
            dayPart = "BYMONTHDAY=\(d)"
        }
        return "RRULE:FREQ=\(frequency.rawValue);INTERVAL=\(interval);\(dayPart)"
    }

    public var description: String { normalized }
}

/// A day of the week, as RFC 5545 spells it.
public enum Weekday: String, Hashable, Sendable, CaseIterable {
    case sunday = "SU", monday = "MO", tuesday = "TU", wednesday = "WE"
    case thursday = "TH", friday = "FR", saturday = "SA"

    /// Foundation's `Calendar` weekday number (Sunday = 1 … Saturday = 7).
    public var calendarWeekday: Int {
        switch self {
        case .sunday: 1
        case .monday: 2
        case .tuesday: 3
        case .wednesday: 4
        case .thursday: 5
        case .friday: 6
        case .saturday: 7
        }
    }
}
