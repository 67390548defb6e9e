import Foundation
import ZohoModel

/// Zoho's monthly backup quota, counted in the org's zone.
public enum Quota {
    /// The first moment of the month after `now`'s in `timeZone`: when `LIMIT_EXCEEDED` ends.
    public static func nextMonthStart(after now: Date, timeZone: TimeZone) -> Date {
        let calendar = Calendar.gregorian(in: timeZone)
        let (day, _) = calendar.civil(now)
        let next = day.month == 12 ? CivilDate(year: day.year + 1, month: 1, day: 1) : CivilDate(year: day.year, month: day.month + 1, day: 1)
        return calendar.date(next, TimeOfDay(hour: 0, minute: 0, second: 0)) ?? now.addingTimeInterval(31 * 86_400)
    }
}
