import Foundation

/// What Python's `csv` module reads in backup parts (Tests/tools/zoho_zip_csv.py): the
/// reference the simulator's exports and the record index are checked against.
public struct PythonCSV: Decodable, Sendable {
    public struct File: Decodable, Sendable {
        /// The part (zip) the file is in.
        public var part: String
        public var header: [String]
        /// The first field of every record row, in file order.
        public var ids: [String]
        /// Every record row by its id (absent with `rows: false`).
        public var rows: [String: [String]]?
    }

    public struct Attachment: Decodable, Sendable {
        public var part: String
        public var name: String
        public var size: Int
        /// The entry's CRC-32, as the zip's directory gives it.
        public var crc: UInt32
    }

    /// The CSV files by entry name (`Data/Leads_001.csv`).
    public var files: [String: File]
    public var attachments: [Attachment]

    /// Reads the zips at `paths` with Python.
    public static func read(_ paths: [String], rows: Bool = true) throws -> PythonCSV {
        let result = try ChildProcess.run("/usr/bin/python3", [projectRoot + "/Tests/tools/zoho_zip_csv.py"] + paths + (rows ? [] : ["--no-rows"]))
        guard result.status == 0 else { throw Failure(description: "zoho_zip_csv.py failed: \(result.stderr)") }
        return try JSONDecoder().decode(PythonCSV.self, from: Data(result.stdout.utf8))
    }

    struct Failure: Error, CustomStringConvertible { var description: String }
}
