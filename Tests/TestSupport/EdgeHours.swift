/// Instants at the hours where a day in one zone is another day in UTC: 18:29, 18:31, 23:59
/// and 00:01 UTC (either side of Kolkata's midnight, UTC+5:30, and of UTC's own).
public enum EdgeHours {
    /// 2026-11-30, a Monday, 00:00 UTC.
    public static let monday: Double = 1_796_083_200
    /// The four edge minutes, in seconds after a UTC midnight (00:01 is the next day's).
    public static let seconds: [Int] = [18 * 3600 + 29 * 60, 18 * 3600 + 31 * 60, 23 * 3600 + 59 * 60, 24 * 3600 + 60]

    /// Every edge instant on the days `days` after ``monday`` (0 is that Monday).
    public static func instants(days: Range<Int>) -> [Double] {
        var instants: [Double] = []
        for day in days {
            for s in seconds { instants.append(monday + Double(day * 86_400 + s)) }
        }
        return instants
    }
}
