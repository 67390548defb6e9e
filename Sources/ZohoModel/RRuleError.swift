/// Why a text is not a rule Zoho accepts. Each case's description says what to write instead.
public enum RRuleError: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    case missingPrefix
    case notUpperCase
    case whitespace
    case malformedPart(String)
    case unsupportedPart(String)
    case duplicatePart(String)
    case missingFrequency
    case unsupportedFrequency(String)
    case missingInterval
    case intervalOutOfRange(String)
    case missingDay
    case bothDayAndMonthDay
    case multipleDays(String)
    case unknownWeekday(String)
    case ordinalNeedsMonthly(String)
    case ordinalOutOfRange(String)
    case monthDayNeedsMonthly
    case monthDayOutOfRange(String)

    public var description: String {
        switch self {
        case .empty:
            "the rule is empty; write e.g. RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR, or \"none\" or \"unmanaged\""
        case .missingPrefix:
            "the rule must start with RRULE:, e.g. RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"
        case .notUpperCase:
            "the rule must be upper case, e.g. RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"
        case .whitespace:
            "the rule must not contain spaces"
        case .malformedPart(let p):
            "\"\(p)\" is not NAME=VALUE; parts are separated by ';'"
        case .unsupportedPart(let p):
            "\(p) is not supported by Zoho's backup API; use only FREQ, INTERVAL and one of BYDAY or BYMONTHDAY"
        case .duplicatePart(let p):
            "\(p) is given twice"
        case .missingFrequency:
            "FREQ is required: FREQ=WEEKLY or FREQ=MONTHLY"
        case .unsupportedFrequency(let f):
            "FREQ must be WEEKLY or MONTHLY, got \(f)"
        case .missingInterval:
            "INTERVAL is required (1–52), e.g. INTERVAL=1"
        case .intervalOutOfRange(let i):
            "INTERVAL must be 1–52, got \(i)"
        case .missingDay:
            "one of BYDAY (SU…SA) or BYMONTHDAY (1–31) is required"
        case .bothDayAndMonthDay:
            "give BYDAY or BYMONTHDAY, not both"
        case .multipleDays(let v):
            "BYDAY takes one day, got \(v)"
        case .unknownWeekday(let v):
            "BYDAY must be one of SU MO TU WE TH FR SA (with an ordinal 1–4 for MONTHLY, e.g. 1TH), got \(v)"
        case .ordinalNeedsMonthly(let v):
            "an ordinal in BYDAY (\(v)) needs FREQ=MONTHLY"
        case .ordinalOutOfRange(let v):
            "the BYDAY ordinal must be 1–4, got \(v)"
        case .monthDayNeedsMonthly:
            "BYMONTHDAY needs FREQ=MONTHLY"
        case .monthDayOutOfRange(let v):
            "BYMONTHDAY must be 1–31, got \(v)"
        }
    }
}
