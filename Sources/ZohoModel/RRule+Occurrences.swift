import Foundation

extension RRule {
    /// The rule's occurrences strictly after `date`, in ascending order.
    ///
    /// Occurrences fall at the anchor's wall-clock time, in `timeZone`, on the days the rule
    /// names, never before the anchor. INTERVAL counts periods from the anchor's week
    /// (weeks start on Monday, RFC 5545's default) or month: Zoho's `start_date` when it has
    /// one, else the day the schedule was made. A month without the BYMONTHDAY day has no
    /// occurrence (RFC 5545: BYMONTHDAY=31 skips 30-day months and February).
    ///
    /// - Parameters:
    ///   - date: occurrences at or before this instant are not returned.
    ///   - anchor: the schedule's start.
    ///   - timeZone: the org's zone.
    ///   - limit: how many to return at most. Fewer come back only for a rule that never
    ///     fires from this anchor (e.g. INTERVAL=12;BYMONTHDAY=30 anchored in February).
    public func occurrences(after date: Date, anchor: Date, timeZone: TimeZone, limit: Int) -> [Date] {
        guard limit > 0 else { return [] }
        let calendar = Calendar.gregorian(in: timeZone)
        let (anchorDay, time) = calendar.civil(anchor)
        let (afterDay, _) = calendar.civil(date)
        let firstDay = max(anchorDay.dayNumber, afterDay.dayNumber - 1)

        var result: [Date] = []
        var emptyPeriods = 0
        var period = firstPeriod(anchorDay: anchorDay, fromDay: firstDay)
        // A rule in the subset fires at least once in any 28 consecutive periods unless it can
        // never fire from this anchor; 2,400 empty periods in a row means it never will.
        while result.count < limit, emptyPeriods < 2_400 {
            let days = self.days(inPeriod: period, anchorDay: anchorDay)
            var found = false
            for day in days where day.dayNumber >= anchorDay.dayNumber {
                guard let instant = calendar.date(day, time), instant > date, instant >= anchor else { continue }
                result.append(instant)
                found = true
                if result.count == limit { break }
            }
            emptyPeriods = found ? 0 : emptyPeriods + 1
            period += 1
        }
        return result
    }

    /// The first occurrence strictly after `date` (see ``occurrences(after:anchor:timeZone:limit:)``).
    public func nextOccurrence(after date: Date, anchor: Date, timeZone: TimeZone) -> Date? {
        occurrences(after: date, anchor: anchor, timeZone: timeZone, limit: 1).first
    }

    /// The longest gap between two consecutive occurrences, over every possible anchor phase:
    /// 7 days × INTERVAL for weekly rules; for monthly rules it depends on the day (31 days for
    /// BYMONTHDAY=16, 35 for the first Thursday, 61 for BYMONTHDAY=31). The default
    /// freshness limit is this plus two days.
    public var longestGap: Duration {
        if frequency == .weekly { return .seconds(7 * interval * 86_400) }
        var longest = 0
        // The month-of-year pattern repeats every 12 months and leap years every 4 years;
        // a phase per starting month and 8 years of occurrences cover every gap.
        for phase in 0..<min(interval, 12) {
            let anchorDay = CivilDate(year: 2000, month: 1 + phase, day: 1)
            var previous: Int?
            var period = 0
            while period * interval < 12 * 8 + interval * 2 {
                for day in days(inPeriod: period, anchorDay: anchorDay) {
                    if let p = previous { longest = max(longest, day.dayNumber - p) }
                    previous = day.dayNumber
                }
                period += 1
            }
        }
        return .seconds(longest * 86_400)
    }

    /// The index of the period (from the anchor's, 0) that contains `fromDay`, at least 0.
    private func firstPeriod(anchorDay: CivilDate, fromDay: Int) -> Int {
        let from = CivilDate(dayNumber: fromDay)
        switch frequency {
        case .weekly:
            let anchorMonday = anchorDay.dayNumber - anchorDay.daysSinceMonday
            return max(0, (fromDay - anchorMonday) / 7 / interval)
        case .monthly:
            return max(0, (from.monthNumber - anchorDay.monthNumber) / interval)
        }
    }

    /// The days the rule names in the `index`-th period counted from the anchor's period.
    private func days(inPeriod index: Int, anchorDay: CivilDate) -> [CivilDate] {
        switch frequency {
        case .weekly:
            let monday = anchorDay.dayNumber - anchorDay.daysSinceMonday + index * interval * 7
            guard case .weekday(let weekday, _) = day else { return [] }
            return [CivilDate(dayNumber: monday + weekday.daysSinceMonday)]
        case .monthly:
            let monthNumber = anchorDay.monthNumber + index * interval
            let year = monthNumber / 12, month = monthNumber % 12 + 1
            let length = CivilDate.daysInMonth(year: year, month: month)
            switch day {
            case .monthDay(let d):
                return d <= length ? [CivilDate(year: year, month: month, day: d)] : []
            case .weekday(let weekday, let ordinal):
                let first = CivilDate(year: year, month: month, day: 1)
                let offset = (weekday.daysSinceMonday - first.daysSinceMonday + 7) % 7
                let all = stride(from: 1 + offset, through: length, by: 7)
                    .map { CivilDate(year: year, month: month, day: $0) }
                guard let n = ordinal else { return all }
                return n <= all.count ? [all[n - 1]] : []
            }
        }
    }
}
