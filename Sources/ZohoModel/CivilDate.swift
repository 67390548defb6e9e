import Foundation

/// A calendar day (proleptic Gregorian) with no time zone, for day arithmetic that DST
/// cannot disturb. Conversions to and from `Date` take the zone explicitly.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (negative before it). Howard Hinnant's `days_from_civil`.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The day with the given day number. Howard Hinnant's `civil_from_days`.
    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Days since Monday: Monday 0 … Sunday 6 (RFC 5545's default week start is Monday).
    public var daysSinceMonday: Int {
        // 1970-01-01 was a Thursday (3 days after Monday).
        ((dayNumber % 7) + 7 + 3) % 7
    }

    /// Months since year 0, for counting months across years.
    public var monthNumber: Int { year * 12 + (month - 1) }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 4, 6, 9, 11: return 30
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        default: return 31
        }
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }
}

extension Weekday {
    /// Days since Monday: Monday 0 … Sunday 6.
    public var daysSinceMonday: Int { (calendarWeekday + 5) % 7 }
}

/// A wall-clock time of day.
public struct TimeOfDay: Hashable, Sendable {
    public var hour: Int, minute: Int, second: Int
    public init(hour: Int, minute: Int, second: Int) {
        self.hour = hour
        self.minute = minute
        self.second = second
    }
}

extension Calendar {
    /// A Gregorian calendar in `timeZone`.
    public static func gregorian(in timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The civil day and wall-clock time of `date` in this calendar's zone.
    public func civil(_ date: Date) -> (CivilDate, TimeOfDay) {
        let c = dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return (CivilDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1),
                TimeOfDay(hour: c.hour ?? 0, minute: c.minute ?? 0, second: c.second ?? 0))
    }

    /// The instant of `time` on `day` in this calendar's zone. A wall-clock time skipped by a
    /// DST change moves forward past the gap, as Foundation resolves it.
    public func date(_ day: CivilDate, _ time: TimeOfDay) -> Date? {
        date(from: DateComponents(
            year: day.year, month: day.month, day: day.day,
            hour: time.hour, minute: time.minute, second: time.second))
    }
}
