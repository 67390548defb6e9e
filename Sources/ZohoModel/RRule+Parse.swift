extension RRule {
    /// Parses a rule, refusing anything outside Zoho's subset with the reason.
    ///
    /// - Parameters:
    ///   - text: e.g. `RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=1TH`. Parts may come in any order.
    ///   - requirePrefix: the policy file requires the `RRULE:` prefix (as Zoho's pages write
    ///     it); pass `false` to also read a bare `FREQ=…;…` (as some Zoho answers may).
    public init(parsing text: String, requirePrefix: Bool = true) throws(RRuleError) {
        guard !text.isEmpty else { throw .empty }
        guard !text.contains(where: \.isWhitespace) else { throw .whitespace }
        guard text == text.uppercased() else { throw .notUpperCase }
        var body = Substring(text)
        if body.hasPrefix("RRULE:") {
            body = body.dropFirst("RRULE:".count)
        } else if requirePrefix {
            throw .missingPrefix
        }
        guard !body.isEmpty else { throw .missingFrequency }

        var parts: [String: String] = [:]
        for raw in body.split(separator: ";", omittingEmptySubsequences: false) {
            let pieces = raw.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty else {
                throw .malformedPart(String(raw))
            }
            let name = String(pieces[0])
            guard ["FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY"].contains(name) else {
                throw .unsupportedPart(name)
            }
            guard parts[name] == nil else { throw .duplicatePart(name) }
            parts[name] = String(pieces[1])
        }

        guard let freqText = parts["FREQ"] else { throw .missingFrequency }
        guard let frequency = Frequency(rawValue: freqText) else { throw .unsupportedFrequency(freqText) }
        guard let intervalText = parts["INTERVAL"] else { throw .missingInterval }
        guard let interval = Self.smallNumber(intervalText) else { throw .intervalOutOfRange(intervalText) }

        let day: Day
        switch (parts["BYDAY"], parts["BYMONTHDAY"]) {
        case (nil, nil):
            throw .missingDay
        case (.some, .some):
            throw .bothDayAndMonthDay
        case (.some(let value), nil):
            day = try Self.parseByDay(value, frequency: frequency)
        case (nil, .some(let value)):
            guard frequency == .monthly else { throw .monthDayNeedsMonthly }
            guard let d = Self.smallNumber(value) else { throw .monthDayOutOfRange(value) }
            day = .monthDay(d)
        }
        try self.init(frequency: frequency, interval: interval, day: day)
    }

    private static func parseByDay(_ value: String, frequency: Frequency) throws(RRuleError) -> Day {
        guard !value.contains(",") else { throw .multipleDays(value) }
        guard value.count >= 2, let weekday = Weekday(rawValue: String(value.suffix(2))) else {
            throw .unknownWeekday(value)
        }
        let prefix = String(value.dropLast(2))
        if prefix.isEmpty { return .weekday(weekday, ordinal: nil) }
        guard frequency == .monthly else { throw .ordinalNeedsMonthly(prefix) }
        guard let n = smallNumber(prefix), (1...4).contains(n) else { throw .ordinalOutOfRange(prefix) }
        return .weekday(weekday, ordinal: n)
    }

    /// Plain decimal digits only (no sign, no spaces), at most 3 of them.
    private static func smallNumber(_ text: String) -> Int? {
        guard (1...3).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
