import Foundation

/// Zoho's date-times: ISO 8601 with any offset (`2022-07-26T09:58:45+05:30`, `…Z`,
/// fractional seconds allowed). Zoho writes them in the user's time zone.
public enum ZohoDate {
    /// Parses a Zoho date-time; nil when it is not ISO 8601 with a time and an offset.
    public static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    /// Formats as Zoho does, in `timeZone` with a `±HH:MM` offset: `2022-07-26T09:58:45+05:30`.
    public static func format(_ date: Date, in timeZone: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.calendar = Calendar(identifier: .gregorian)
        f.timeZone = timeZone
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ssxxx"
        return f.string(from: date)
    }
}

extension CodingUserInfoKey {
    /// The time zone dates are written in when encoding Zoho's shapes (the simulator's user
    /// zone); UTC when absent.
    public static let zohoTimeZone = CodingUserInfoKey(rawValue: "zohoTimeZone")!
}

extension KeyedDecodingContainer {
    /// A date-time that may be missing or null; a present but unreadable value is an error.
    func decodeZohoDateIfPresent(forKey key: Key) throws -> Date? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let date = ZohoDate.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "'\(text)' is not an ISO 8601 date-time")
        }
        return date
    }

    /// An id that Zoho documents as a string but an SDK may send as a number.
    func decodeZohoID(forKey key: Key) throws -> String {
        if let text = try? decode(String.self, forKey: key) { return text }
        return String(try decode(Int64.self, forKey: key))
    }

    func decodeZohoIDIfPresent(forKey key: Key) throws -> String? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeZohoID(forKey: key)
    }
}

extension KeyedEncodingContainer {
    /// Writes a date in the encoder's ``CodingUserInfoKey/zohoTimeZone``, or null.
    mutating func encodeZohoDate(_ date: Date?, forKey key: Key, userInfo: [CodingUserInfoKey: Any]) throws {
        guard let date else { return try encodeNil(forKey: key) }
        let zone = userInfo[.zohoTimeZone] as? TimeZone ?? TimeZone(secondsFromGMT: 0) ?? .current
        try encode(ZohoDate.format(date, in: zone), forKey: key)
    }
}
