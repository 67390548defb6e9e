import Foundation

/// The latest backup as `GET /crm/bulk/v7/backup` describes it (`{"backup": {…}}`).
///
/// Between runs of a recurring schedule it shows the schedule itself (status `SCHEDULED`,
/// `scheduled_date` the next occurrence). Dates are null for a backup made without an rrule.
public struct BackupJob: Codable, Hashable, Sendable {
    public var id: String
    /// Zoho's rule text, as Zoho returned it (possibly outside the subset the daemon writes).
    public var rrule: String?
    public var status: BackupStatus
    public var startDate: Date?
    public var scheduledDate: Date?
    public var requester: Requester?

    public init(id: String, rrule: String?, status: BackupStatus, startDate: Date?, scheduledDate: Date?, requester: Requester?) {
        self.id = id
        self.rrule = rrule
        self.status = status
        self.startDate = startDate
        self.scheduledDate = scheduledDate
        self.requester = requester
    }

    enum CodingKeys: String, CodingKey {
        case id, rrule, status, requester
        case startDate = "start_date"
        case scheduledDate = "scheduled_date"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeZohoID(forKey: .id)
        rrule = try c.decodeIfPresent(String.self, forKey: .rrule)
        status = try c.decode(BackupStatus.self, forKey: .status)
        startDate = try c.decodeZohoDateIfPresent(forKey: .startDate)
        scheduledDate = try c.decodeZohoDateIfPresent(forKey: .scheduledDate)
        requester = try c.decodeIfPresent(Requester.self, forKey: .requester)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(rrule, forKey: .rrule)
        try c.encode(status, forKey: .status)
        try c.encodeZohoDate(startDate, forKey: .startDate, userInfo: encoder.userInfo)
        try c.encodeZohoDate(scheduledDate, forKey: .scheduledDate, userInfo: encoder.userInfo)
        try c.encodeIfPresent(requester, forKey: .requester)
    }
}

/// A backup's status. Kept as Zoho's text, so a value Zoho adds later is shown, not lost.
public struct BackupStatus: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public var description: String { rawValue }

    public static let scheduled = BackupStatus(rawValue: "SCHEDULED")
    public static let inProgress = BackupStatus(rawValue: "INPROGRESS")
    public static let completed = BackupStatus(rawValue: "COMPLETED")
    public static let failed = BackupStatus(rawValue: "FAILED")
    public static let stopped = BackupStatus(rawValue: "STOPPED")
}

/// Who asked for a backup (`requester`, `done_by`).
public struct Requester: Codable, Hashable, Sendable {
    public var id: String
    public var name: String?
    public var zuid: String?

    public init(id: String, name: String?, zuid: String?) {
        self.id = id
        self.name = name
        self.zuid = zuid
    }

    enum CodingKeys: String, CodingKey { case id, name, zuid }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeZohoID(forKey: .id)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        zuid = try c.decodeZohoIDIfPresent(forKey: .zuid)
    }
}
