import BackupArchive
import CXLSXWriter
import Foundation
import Testing
import TestSupport
@testable import RestoreFormats

/// Excel's limits, handled and not hit, in a workbook read back with openpyxl: a value over
/// 32,767 characters, a 40-character module name, two names the same once shortened, and a
/// module over the rows a sheet holds (a small limit injected; the real one in the code).
@Suite("Excel's limits", .enabled(if: TableReader.python != nil, "make test sets ZCB_PYTHON (a venv with openpyxl)"))
struct ExcelLimitsTests {
    @Test("long values cut with a marker and listed; long names shortened uniquely and mapped in About; a module continued on (2), (3)")
    func limits() async throws {
        let root = try makeTemporaryFolder("xlsx-limits")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/limits.xlsx"
        var sink = try XLSXTables(path: path, scratch: root, rowLimit: 5)
        let long = String(repeating: "Lorem ipsum dolor sit amet, 🦄 ", count: 1_334)   // 40,020 UTF-16 units
        #expect(long.utf16.count > 40_000)
        let first = "Customer_Onboarding_Checklist_Items_2026", second = "Customer_Onboarding_Checklist_Items_2027"
        try sink.begin(first, header: ["Record Id", "Description", "Amount"])
        try sink.row(["1001", long, "50000.5"])
        try sink.end()
        try sink.begin(second, header: ["Record Id", "Name"])
        try sink.row(["2001", "one"])
        try sink.end()
        try sink.begin("Contacts", header: ["Record Id", "Last Name"])
        for i in 1...12 { try sink.row(["\(3000 + i)", "Name \(i)"]) }
        try sink.end()
        let notes = try sink.finish(about: [["Backup", "test"]])

        let book = try await TableReader.read("xlsx", path)
        #expect(book.order == ["About", "Customer_Onboarding_Checklist_I", "Customer_Onboarding_Checklist~2", "Contacts", "Contacts (2)", "Contacts (3)"])
        let cut = try #require(book.tables["Customer_Onboarding_Checklist_I"]?.rows.first)
        #expect(cut[1].utf16.count == XLSXTables.cellLimit && cut[1].hasSuffix(XLSXTables.marker(long.utf16.count)), "cut to the limit, the marker visible")
        #expect(long.hasPrefix(String(cut[1].dropLast(XLSXTables.marker(long.utf16.count).count))), "the start of the value kept as it is")
        #expect(cut[0] == "1001" && cut[2] == "50000.5")
        #expect(notes.contains { $0.contains("Customer_Onboarding_Checklist_I!B2 (record 1001, \"Description\"): \(long.utf16.count) characters") }, "\(notes)")
        #expect(notes.contains { $0.contains("Module \(second) is the sheet \"Customer_Onboarding_Checklist~2\"") })
        #expect(notes.contains { $0.contains("Contacts has 12 rows, more than a sheet holds: it continues on \"Contacts (2)\", \"Contacts (3)\"") })
        let sheets = ["Contacts", "Contacts (2)", "Contacts (3)"].compactMap { book.tables[$0] }
        #expect(sheets.map(\.rows.count) == [4, 4, 4] && sheets.allSatisfy { $0.header == ["Record Id", "Last Name"] }, "each sheet: the header and 4 rows (5 in all)")
        #expect(sheets.flatMap(\.rows).map { $0[0] } == (1...12).map { "\(3000 + $0)" }, "every row once, in order")
        let about = try #require(book.tables["About"])
        let mapping = about.rows.filter { [first, second, "Contacts"].contains($0.first ?? "") }.map { Array($0.trimmed.prefix(3)) }
        #expect(mapping == [[first, "Customer_Onboarding_Checklist_I", "1"], [second, "Customer_Onboarding_Checklist~2", "1"],
                            ["Contacts", "Contacts, Contacts (2), Contacts (3)", "12"]])
    }

    @Test("a row out of order is libxlsxwriter's error code, reported, never ignored")
    func everyReturnCodeChecked() throws {
        let root = try makeTemporaryFolder("xlsx-codes")
        defer { try? FileManager.default.removeItem(atPath: root) }
        // In constant_memory mode a row before the last one written is refused with a code.
        let path = root + "/order.xlsx"
        let made = root.withCString { tmpdir in
            var options = lxw_workbook_options(constant_memory: UInt8(LXW_TRUE.rawValue), tmpdir: UnsafeMutablePointer(mutating: tmpdir), use_zip64: 0)
            return workbook_new_opt(path, &options)
        }
        let workbook = try #require(made), sheet = try #require(workbook_add_worksheet(workbook, "Leads"))
        #expect(worksheet_write_string(sheet, 2, 0, "third", nil) == LXW_NO_ERROR)
        let code = worksheet_write_string(sheet, 1, 0, "second, too late", nil)
        #expect(code != LXW_NO_ERROR)
        let refused = try #require(throws: Restore.Failure.self) { try XLSXTables.check(code, "writing row 2 of sheet \"Leads\"", path: path) }
        #expect(refused.description.contains("row 2 of sheet \"Leads\"") && refused.description.contains("run it again"), "\(refused)")
        #expect(workbook_close(workbook) == LXW_NO_ERROR)
        var sink = try XLSXTables(path: root + "/none/x.xlsx", scratch: root)
        try sink.begin("Leads", header: ["Record Id"])
        try sink.row(["1"])
        try sink.end()
        let error = try #require(throws: Restore.Failure.self) { _ = try sink.finish(about: []) }
        #expect(error.description.contains("closing the workbook") && error.description.contains("none/x.xlsx"), "\(error)")
    }
}
