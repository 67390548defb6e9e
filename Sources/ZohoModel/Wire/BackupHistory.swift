import Foundation

/// One page of `GET /crm/bulk/v7/backup/history` (`{"history": […], "info": {…}}`).
public struct BackupHistoryPage: Codable, Hashable, Sendable {
    public var history: [BackupHistoryEntry]
    public var info: PageInfo

    public init(history: [BackupHistoryEntry], info: PageInfo) {
        self.history = history
        self.info = info
    }
}

/// An entry of the backup history. Zoho keeps one year.
public struct BackupHistoryEntry: Codable, Hashable, Sendable {
    public var id: String
    public var logTime: Date?
    /// `scheduled`, `stopped`, `purchased`, or null (completed or failed).
    public var action: String?
    /// `immediate`, `weekly`, `biweekly`, `monthly`, or null.
    public var repeatType: String?
    public var count: Int?
    public var fileName: String?
    /// `completed`, `failure`, or null (in progress or scheduled).
    public var state: String?
    public var doneBy: Requester?

    public init(id: String, logTime: Date?, action: String?, repeatType: String?, count: Int?,
                fileName: String?, state: String?, doneBy: Requester?) {
        self.id = id
        self.logTime = logTime
        self.action = action
        self.repeatType = repeatType
        self.count = count
        self.fileName = fileName
        self.state = state
        self.doneBy = doneBy
    }

    enum CodingKeys: String, CodingKey {
        case id, action, count, state
        case logTime = "log_time"
        case repeatType = "repeat_type"
        case fileName = "file_name"
        case doneBy = "done_by"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeZohoID(forKey: .id)
        logTime = try c.decodeZohoDateIfPresent(forKey: .logTime)
        action = try c.decodeIfPresent(String.self, forKey: .action)
        repeatType = try c.decodeIfPresent(String.self, forKey: .repeatType)
        count = try c.decodeIfPresent(Int.self, forKey: .count)
        fileName = try c.decodeIfPresent(String.self, forKey: .fileName)
        state = try c.decodeIfPresent(String.self, forKey: .state)
        doneBy = try c.decodeIfPresent(Requester.self, forKey: .doneBy)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeZohoDate(logTime, forKey: .logTime, userInfo: encoder.userInfo)
        try c.encode(action, forKey: .action)
        try c.encode(repeatType, forKey: .repeatType)
        try c.encode(count, forKey: .count)
        try c.encode(fileName, forKey: .fileName)
        try c.encode(state, forKey: .state)
        try c.encodeIfPresent(doneBy, forKey: .doneBy)
    }
}

/// Paging of a list answer.
public struct PageInfo: Codable, Hashable, Sendable {
    public var perPage: Int
    public var count: Int
    public var page: Int
    public var moreRecords: Bool

    public init(perPage: Int, count: Int, page: Int, moreRecords: Bool) {
        self.perPage = perPage
        self.count = count
        self.page = page
        self.moreRecords = moreRecords
    }

    enum CodingKeys: String, CodingKey {
        case count, page
        case perPage = "per_page"
        case moreRecords = "more_records"
    }
}
