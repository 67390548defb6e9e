import Foundation
import ZohoModel

/// When the demo's simulated weeks begin and which weekday its schedule names, aligned by the
/// demo itself so that its story is the same at whatever hour it is started.
///
/// Everything is computed in the simulated Zoho user's zone, the zone in which Zoho (and the
/// simulator) expands a schedule: the start is a Monday midnight there, the latest one at least
/// `days` days before the wall clock's day, and the schedule names the following day (always a
/// Tuesday). The first backup therefore runs one day after the start, at midnight in that
/// zone, and the simulated weeks end less than a week before today, whatever the UTC hour or
/// weekday of the wall clock: the same schedule, the same backups, the same lines.
struct DemoTimeline: Equatable {
    /// The simulated start, Unix seconds: a Monday's midnight in `zone`.
    let start: Double
    /// The weekday the schedule names (`BYDAY=`): the day after the start, in `zone`.
    let weekday: Weekday

    init(wallClock now: Double, days: Int, zone: TimeZone) {
        let calendar = Calendar.gregorian(in: zone)
        let (today, _) = calendar.civil(Date(timeIntervalSince1970: now))
        let earliest = CivilDate(dayNumber: today.dayNumber - days)
        let first = CivilDate(dayNumber: earliest.dayNumber - earliest.daysSinceMonday)
        let midnight = TimeOfDay(hour: 0, minute: 0, second: 0)
        start = (calendar.date(first, midnight) ?? Date(timeIntervalSince1970: now - Double(days) * 86_400))
            .timeIntervalSince1970.rounded(.down)
        let next = CivilDate(dayNumber: first.dayNumber + 1)
        weekday = Weekday.allCases.first { $0.daysSinceMonday == next.daysSinceMonday } ?? .monday
    }
}
