/// What a backup's record index says about it, before its records: the JSON header of the
/// `index` file (see ``RecordIndex`` for the layout).
public struct RecordIndexHeader: Codable, Sendable, Equatable {
    /// The index format; readers refuse a newer one (the index is rebuilt).
    public var format: Int
    /// The backup's job id.
    public var jobID: String
    /// The modules, by name (the file stem Zoho used: an API name, or a label).
    public var modules: [Module]
    /// The attachment files and their parents.
    public var attachments: Attachments
    /// Entries that are neither a module's CSV nor an attachment, by part.
    public var otherFiles: [String]
    /// Entries not read: a name with `..`, an absolute path or a NUL, and why.
    public var skipped: [String]

    /// The format this program writes.
    public static let currentFormat = 1

    /// A CRM module: every `Data/<Module>_NNN.csv` file of the backup, across parts.
    public struct Module: Codable, Sendable, Equatable {
        /// The module's name, as its files are named.
        public var name: String
        /// Its CSV files, by name.
        public var files: [File]
        /// Records indexed (numeric and other ids).
        public var records: Int
        /// Records with a numeric id (16 bytes each in the index), then the others.
        public var numericRecords: Int
        /// Records whose id is not a number.
        public var otherRecords: Int
        /// Ids that occur more than once.
        public var duplicateIDs: Int
        /// A file of the module could not be read to its end: the counts are a lower bound.
        public var incomplete: Bool
        /// Where the module's records start, from the start of the body, and how many bytes
        /// the other ids take after the numeric ones.
        public var offset: Int64
        /// The bytes the records with other ids take.
        public var otherBytes: Int64
    }

    /// One CSV file of a module.
    public struct File: Codable, Sendable, Equatable {
        /// The entry's name, `Data/Leads_001.csv`.
        public var name: String
        /// The part it is in, `Data_001.zip`.
        public var part: String
        /// The header row, as written.
        public var header: [String]
        /// Records indexed from this file.
        public var records: Int
        /// Rows that gave no record (no id, an id too long, …).
        public var skippedRows: Int
        /// What was malformed, each with its line (at most 20).
        public var problems: [String]
        /// The file could not be read to its end.
        public var incomplete: Bool
    }

    /// The attachment files (in the attachments parts) and their parents (from
    /// `Attachments_001.csv`).
    public struct Attachments: Codable, Sendable, Equatable {
        /// Attachment files in the attachments parts.
        public var count: Int
        /// What they hold, in bytes.
        public var bytes: Int64
        /// Parent records with attachments (24 bytes each in the index: id, count, bytes).
        public var parents: Int
        /// Where the parents start in the file.
        public var offset: Int64
    }
}

extension RecordIndexHeader.Module {
    /// The header of the module's first file (every file of a module has the same).
    public var header: [String] { files.first?.header ?? [] }
}
