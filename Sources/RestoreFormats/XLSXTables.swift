import BackupArchive
import CXLSXWriter
import Foundation

/// Writes a restore's tables into one workbook through libxlsxwriter, in `constant_memory`
/// mode (each row goes to a temporary file as it is written: memory stays flat). Excel's
/// limits are handled, never hit: sheet names shortened uniquely (the first sheet, "About",
/// maps them), a value over 32,767 characters cut with a visible marker (and listed), a
/// module over 1,048,576 rows continued on `<Module> (2)`. Every return code is checked.
struct XLSXTables: RestoreTableSink {
    /// Excel's rows per sheet, the header's included.
    static let excelRows = RestoreFormat.excelRows
    /// Excel's characters (UTF-16 units) per cell.
    static let cellLimit = 32_767

    private let workbook: UnsafeMutablePointer<lxw_workbook>
    private let about: UnsafeMutablePointer<lxw_worksheet>
    private let wholeNumber: UnsafeMutablePointer<lxw_format>
    private let path: String
    private let rowLimit: Int
    private var names = TableNames.excelSheets()
    private var module = ""
    private var header: [String] = []
    private var sheet: UnsafeMutablePointer<lxw_worksheet>?
    private var sheetName = ""
    private var sheets = 0
    private var row: UInt32 = 0
    /// Each module's sheets, in order.
    private var mapping: [(module: String, sheets: [String], rows: Int)] = []
    /// Values cut, one line each (the first thousand).
    private(set) var cut: [String] = []
    private var cutCount = 0
    /// A cell's text with its NUL, reused.
    private var cell: [CChar] = []

    /// A workbook at `path`, its temporary files in `scratch`; `rowLimit` is Excel's (a
    /// smaller one in tests).
    init(path: String, scratch: String, rowLimit: Int = XLSXTables.excelRows) throws(Restore.Failure) {
        self.path = path
        self.rowLimit = rowLimit
        // libxlsxwriter's temporary files in the restore's own folder, not /tmp (often a small tmpfs).
        let made = scratch.withCString { tmpdir in
            var options = lxw_workbook_options(constant_memory: UInt8(LXW_TRUE.rawValue), tmpdir: UnsafeMutablePointer(mutating: tmpdir),
                                               use_zip64: UInt8(LXW_FALSE.rawValue))   // zip64 only past 4 GB: older Excel warns on it
            return workbook_new_opt(path, &options)
        }
        guard let made else { throw Restore.Failure(description: "libxlsxwriter could not create \(path) (memory or the folder's permissions); nothing was restored") }
        workbook = made
        guard let first = workbook_add_worksheet(made, "About") else {
            throw Restore.Failure(description: "libxlsxwriter could not add the About sheet to \(path)")
        }
        about = first
        // Whole numbers shown whole ("0"), not as 9.19877E+11 in a General cell.
        guard let whole = workbook_add_format(made) else { throw Restore.Failure(description: "libxlsxwriter could not add a number format to \(path)") }
        format_set_num_format(whole, "0")
        wholeNumber = whole
    }

    mutating func begin(_ name: String, header: [String]) throws(Restore.Failure) {
        (module, self.header, sheets) = (name, header, 0)
        mapping.append((name, [], 0))
        try newSheet()
    }

    mutating func rows(_ batch: TableBatch) throws(Restore.Failure) {
        for r in 0..<batch.count {
            if Int(row) >= rowLimit { try newSheet() }
            let fields = batch[r]
            for column in 0..<fields.count { try write(fields[column], column: column, row: fields) }
            row += 1
        }
        mapping[mapping.count - 1].rows += batch.count
    }

    /// Writes one field: a number when it is written as one, else text (NUL-terminated for
    /// libxlsxwriter in a buffer reused from cell to cell), cut to Excel's limit.
    private mutating func write(_ field: UnsafeRawBufferPointer, column: Int, row fields: TableRow) throws(Restore.Failure) {
        guard let worksheet = sheet, !field.isEmpty else { return }
        let code: lxw_error
        switch CellValue.of(bytes: field, digits: 15) {
        case .integer(let number): code = worksheet_write_number(worksheet, row, lxw_col_t(column), Double(number), wholeNumber)
        case .real(let number): code = worksheet_write_number(worksheet, row, lxw_col_t(column), number, nil)
        case .text:
            // UTF-16 units never outnumber UTF-8 bytes: only a long field can be over the limit.
            guard field.count <= Self.cellLimit else { return try write(String(decoding: field, as: UTF8.self), column: column, header: false, id: fields.string(0)) }
            cell.removeAll(keepingCapacity: true)
            cell.append(contentsOf: field.assumingMemoryBound(to: CChar.self))
            cell.append(0)
            code = cell.withUnsafeBufferPointer { worksheet_write_string(worksheet, row, lxw_col_t(column), $0.baseAddress, nil) }
        }
        try Self.check(code, "writing row \(row + 1) of sheet \"\(sheetName)\" (\(module))", path: path)
    }

    mutating func end() throws(Restore.Failure) { sheet = nil }

    /// A sheet for the module (its first, or the next when the last is full), with the header.
    private mutating func newSheet() throws(Restore.Failure) {
        sheets += 1
        let name = names.name(for: module, suffix: sheets == 1 ? "" : " (\(sheets))")
        guard let made = workbook_add_worksheet(workbook, name) else {
            throw Restore.Failure(description: "libxlsxwriter could not add the sheet \"\(name)\" for \(module) to \(path)")
        }
        (sheet, sheetName, row) = (made, name, 0)
        mapping[mapping.count - 1].sheets.append(name)
        for (column, title) in header.enumerated() { try write(title, column: column, header: true, id: "") }
        row = 1
    }

    /// Writes one cell: a number when the value is written as one, else text, cut to Excel's limit.
    private mutating func write(_ value: String, column: Int, header: Bool, id: String) throws(Restore.Failure) {
        guard let worksheet = sheet, !value.isEmpty else { return }
        let code: lxw_error
        switch header ? .text : CellValue.of(value, digits: 15) {
        case .integer(let number): code = worksheet_write_number(worksheet, row, lxw_col_t(column), Double(number), wholeNumber)
        case .real(let number): code = worksheet_write_number(worksheet, row, lxw_col_t(column), number, nil)
        case .text:
            var text = value
            if value.utf16.count > Self.cellLimit {
                text = Self.cut(value)
                cutCount += 1
                if cut.count < 1_000 {
                    let title = column < self.header.count ? self.header[column] : "column \(column + 1)"
                    cut.append("\(sheetName)!\(Self.columnLetters(column))\(row + 1) (record \(id), \"\(title)\"): \(value.utf16.count) characters, cut to \(Self.cellLimit)")
                }
            }
            code = worksheet_write_string(worksheet, row, lxw_col_t(column), text, nil)
        }
        try Self.check(code, "writing row \(row + 1) of sheet \"\(sheetName)\" (\(module))", path: path)
    }

    /// Writes the About sheet and closes the workbook. - Returns: what the restore should say.
    mutating func finish(about lines: [[String]]) throws(Restore.Failure) -> [String] {
        let worksheet = about
        var line: UInt32 = 0
        func put(_ cells: [String]) throws(Restore.Failure) {
            for (column, text) in cells.enumerated() where !text.isEmpty {
                try Self.check(worksheet_write_string(worksheet, line, lxw_col_t(column), text, nil), "writing the About sheet", path: path)
            }
            line += 1
        }
        for cells in lines { try put(cells) }
        try put([])
        try put(["Module", "Sheet", "Rows"])
        var notes: [String] = []
        for entry in mapping {
            try put([entry.module, entry.sheets.joined(separator: ", "), String(entry.rows)])
            if entry.sheets.first != entry.module { notes.append("Module \(entry.module) is the sheet \"\(entry.sheets[0])\" (Excel's sheet names: at most 31 characters, none of []:*?/\\, each its own).") }
            if entry.sheets.count > 1 { notes.append("\(entry.module) has \(entry.rows) rows, more than a sheet holds: it continues on \(entry.sheets.dropFirst().map { "\"\($0)\"" }.joined(separator: ", ")), each with the header.") }
        }
        if cutCount > 0 {
            try put([])
            try put(["Values over Excel's \(Self.cellLimit) characters were cut (marked \(Self.marker(0).trimmingCharacters(in: .whitespaces).prefix(8))…); restore them as CSV to have them whole: \(cutCount)"])
            notes.append("\(cutCount) value\(cutCount == 1 ? " was" : "s were") longer than Excel's \(Self.cellLimit) characters and cut, ending with a visible marker; the CSV restore (without --format) has them whole:")
            notes += cut.map { "  \($0)" }
            if cutCount > cut.count { notes.append("  … and \(cutCount - cut.count) more") }
        }
        let closed = workbook_close(workbook)
        if closed.rawValue >= LXW_ERROR_ZIP_FILE_OPERATION.rawValue, closed.rawValue <= LXW_ERROR_ZIP_CLOSE.rawValue {
            throw Restore.Failure(description: "libxlsxwriter could not zip the workbook \(path) (\(String(cString: lxw_strerror(closed)))): a workbook over 4 GB, or a full disk. Restore fewer modules at once (--module), or use --format sqlite")
        }
        try Self.check(closed, "closing the workbook", path: path)
        return notes
    }

    /// The marker that ends a cut value: how long it was.
    static func marker(_ length: Int) -> String { " …[cut: \(length) characters, see RESTORE.md]" }

    /// `value` cut so that it and the marker fit Excel's limit, whole characters only.
    static func cut(_ value: String) -> String {
        let marker = marker(value.utf16.count)
        return TableNames.cut(value, to: cellLimit - marker.utf16.count) + marker
    }

    /// `A`, `B`, … `AA`: a column's letters.
    static func columnLetters(_ column: Int) -> String {
        var n = column + 1, letters = ""
        while n > 0 {
            let r = (n - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + r))) + letters
            n = (n - 1) / 26
        }
        return letters
    }

    static func check(_ code: lxw_error, _ doing: @autoclosure () -> String, path: String) throws(Restore.Failure) {
        guard code != LXW_NO_ERROR else { return }
        throw Restore.Failure(description: "libxlsxwriter failed \(doing()) in \(path): \(String(cString: lxw_strerror(code))); restore stopped (run it again; a full disk is the usual cause)")
    }
}
