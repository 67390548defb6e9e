/// Durations as the policy writes them: a number and a unit, e.g. `30s`, `15m`, `2h`, `9d`,
/// `2w`, or several in a row, largest first (`1h30m`).
public enum TimeSpan {
    private static let units: [(Character, Int64)] = [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// Parses a policy duration, or returns nil. Whole seconds only; at most ~100 years.
    public static func parse(_ text: String) -> Duration? {
        var total: Int64 = 0
        var number = ""
        var lastUnitIndex = -1
        var sawUnit = false
        for ch in text {
            if ch.isASCII, ch.isNumber {
                number.append(ch)
                guard number.count <= 10 else { return nil }
            } else if let index = units.firstIndex(where: { $0.0 == ch }) {
                guard let n = Int64(number), index > lastUnitIndex else { return nil }
                total += n * units[index].1
                number = ""
                lastUnitIndex = index
                sawUnit = true
            } else {
                return nil
            }
        }
        guard sawUnit, number.isEmpty, total <= 100 * 366 * 86_400 else { return nil }
        return .seconds(total)
    }

    /// Formats a duration in the policy's notation, largest units first but counting in days
    /// rather than weeks (`9d`, `35d`, `1h30m`, `0s`).
    public static func format(_ duration: Duration) -> String {
        var rest = duration.components.seconds
        guard rest > 0 else { return "0s" }
        var out = ""
        for (unit, size) in units.dropFirst() where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }
}
