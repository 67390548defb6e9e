import Foundation

/// `GET /crm/bulk/v7/backup/urls`: the download links of the latest completed backup
/// (`{"urls": {…}}`); the endpoint answers 204 when there are none.
public struct BackupURLs: Codable, Hashable, Sendable {
    public var dataLinks: [String]
    public var attachmentLinks: [String]
    /// When the links stop working (about 7 days after completion).
    public var expiryDate: Date?

    public init(dataLinks: [String], attachmentLinks: [String], expiryDate: Date?) {
        self.dataLinks = dataLinks
        self.attachmentLinks = attachmentLinks
        self.expiryDate = expiryDate
    }

    enum CodingKeys: String, CodingKey {
        case dataLinks = "data_links"
        case attachmentLinks = "attachment_links"
        case expiryDate = "expiry_date"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dataLinks = try c.decodeIfPresent([String].self, forKey: .dataLinks) ?? []
        attachmentLinks = try c.decodeIfPresent([String].self, forKey: .attachmentLinks) ?? []
        expiryDate = try c.decodeZohoDateIfPresent(forKey: .expiryDate)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dataLinks, forKey: .dataLinks)
        try c.encode(attachmentLinks, forKey: .attachmentLinks)
        try c.encodeZohoDate(expiryDate, forKey: .expiryDate, userInfo: encoder.userInfo)
    }

    /// Every link, data first.
    public var allLinks: [String] { dataLinks + attachmentLinks }
}
