/// How a CSV value is written into a database or a workbook: a number when it is written as a
/// plain number that reads back the same (so `Amount > 50000` works), text otherwise — exactly
/// as in the CSV (`007`, `1e5`, `50000.50`, `+1 555` and every id too long to be exact stay text).
public enum CellValue: Equatable, Sendable {
    case integer(Int64)
    case real(Double)
    case text

    /// What `value` is written as. `digits` bounds the digits a number may have: 15 for a
    /// spreadsheet (a double holds 15 exactly), 19 for SQLite's integers (those that fit 64 bits;
    /// reals at most 15).
    public static func of(_ value: String, digits: Int) -> CellValue {
        var contiguous = value
        return contiguous.withUTF8 { of(bytes: UnsafeRawBufferPointer($0), digits: digits) }
    }

    /// The same for a field's UTF-8 bytes (no string made unless it may be a real).
    static func of(bytes raw: UnsafeRawBufferPointer, digits: Int) -> CellValue {
        let bytes = raw.assumingMemoryBound(to: UInt8.self)
        guard !bytes.isEmpty, bytes.count <= digits + 2 else { return .text }
        var i = 0
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        let integerStart = i
        var magnitude: UInt64 = 0
        while i < bytes.count, (0x30...0x39).contains(bytes[i]) {
            if i - integerStart < 19 { magnitude = magnitude &* 10 &+ UInt64(bytes[i] - 0x30) }
            i += 1
        }
        let integerDigits = i - integerStart
        // No leading zero (007), no "-0": such values do not read back as written.
        guard integerDigits > 0, !(integerDigits > 1 && bytes[integerStart] == 0x30) else { return .text }
        if i == bytes.count {
            guard integerDigits <= min(digits, 19), !(negative && magnitude == 0) else { return .text }
            // Past Int64 (a 19-digit number above 9223372036854775807): text.
            if negative { return magnitude <= UInt64(Int64.max) + 1 ? .integer(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)) : .text }
            return magnitude <= UInt64(Int64.max) ? .integer(Int64(magnitude)) : .text
        }
        guard bytes[i] == UInt8(ascii: "."), i + 1 < bytes.count else { return .text }
        let fractionStart = i + 1
        i = fractionStart
        while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1 }
        // A trailing zero (50000.50) would not read back as written.
        guard i == bytes.count, bytes[bytes.count - 1] != 0x30, integerDigits + (i - fractionStart) <= min(digits, 15) else { return .text }
        let value = String(decoding: bytes, as: UTF8.self)
        guard let number = Double(value), "\(number)" == value else { return .text }
        return .real(number)
    }
}
