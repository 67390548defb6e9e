import Foundation

/// What Python reads in a restored database (`sqlite3`) or workbook (`openpyxl`, in
/// `make test`'s venv: `ZCB_PYTHON`), through Tests/tools/read_tables.py: readers we did not write.
public struct TableReader: Decodable, Sendable {
    /// One table or sheet: its header and rows, every value as text.
    public struct Table: Decodable, Sendable {
        public var header: [String]
        public var rows: [[String]]
        /// SQLite only: the primary key's columns.
        public var primary_key: [String]?
        /// SQLite only: the storage classes of the first column's values.
        public var types: [String]?
        /// SQLite only: how many values are NULL.
        public var nulls: Int?
    }

    public var tables: [String: Table]
    /// The tables or sheets in the file's order.
    public var order: [String]

    /// The python with openpyxl (`ZCB_PYTHON`, set by `make test`), or nil.
    public static var python: String? { ProcessInfo.processInfo.environment["ZCB_PYTHON"] }

    /// Reads `path` (`kind`: `sqlite` or `xlsx`).
    public static func read(_ kind: String, _ path: String) async throws -> TableReader {
        guard let python else { throw Failure(description: "ZCB_PYTHON is not set (make test sets it: a venv with openpyxl)") }
        let result = try await ChildProcess.run(python, [projectRoot + "/Tests/tools/read_tables.py", kind, path])
        guard result.status == 0 else { throw Failure(description: "read_tables.py failed: \(result.stderr)") }
        return try JSONDecoder().decode(TableReader.self, from: Data(result.stdout.utf8))
    }

    struct Failure: Error, CustomStringConvertible { var description: String }
}

extension Array where Element == String {
    /// Without the empty values at the end (a sheet pads its rows with empty cells).
    public var trimmed: [String] {
        var copy = self
        while copy.last == "" { copy.removeLast() }
        return copy
    }
}
