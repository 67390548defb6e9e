import Testing
@testable import RestoreFormats

/// Which CSV values become numbers in a database or workbook: only those that read back exactly as written.
@Suite("Values as numbers or text")
struct CellValueTests {
    @Test(arguments: [
        ("50000", 15, CellValue.integer(50000)), ("-12", 15, .integer(-12)), ("0", 15, .integer(0)),
        ("50000.5", 15, .real(50000.5)), ("0.25", 15, .real(0.25)), ("-3.75", 15, .real(-3.75)),
        ("007", 15, .text), ("-0", 15, .text), ("50000.50", 15, .text), ("1e5", 15, .text), ("+1", 15, .text),
        (".5", 15, .text), ("5.", 15, .text), ("", 15, .text), ("12 345", 15, .text), ("0x1F", 15, .text),
        ("4876876000001022022", 15, .text), ("4876876000001022022", 19, .integer(4876876000001022022)), ("9999999999999999999", 19, .text),
        ("1234567890123456", 15, .text), ("123456789012345", 15, .integer(123456789012345)), ("0.1234567890123456", 15, .text),
        ("٣", 15, .text), ("1.0", 15, .text),
    ])
    func classify(_ value: String, _ digits: Int, _ expected: CellValue) {
        #expect(CellValue.of(value, digits: digits) == expected, "\(value)")
    }
}
