import Foundation

/// `GET /crm/bulk/v7/backup/urls`: the download links of the latest completed backup
/// (`{"urls": {…}}`); the endpoint answers 204 when there are none.
///
/// The links are parsed here, once, as the answer is decoded: everything above carries
/// ``links`` (typed) and ``unreadableLinks`` (what did not parse, to report).
public struct BackupURLs: Codable, Hashable, Sendable {
    /// The links as Zoho wrote them (the wire's strings).
    public let dataLinks: [String]
    public let attachmentLinks: [String]
    /// When the links stop working (about 7 days after completion).
    public var expiryDate: Date?
    /// Every link that parsed, data first.
    public let links: [DownloadLink]
    /// Every link that did not parse as a backup part link.
    public let unreadableLinks: [String]

    public init(dataLinks: [String], attachmentLinks: [String], expiryDate: Date?) {
        self.dataLinks = dataLinks
        self.attachmentLinks = attachmentLinks
        self.expiryDate = expiryDate
        let all = dataLinks + attachmentLinks
        links = all.compactMap(DownloadLink.init)
        unreadableLinks = all.filter { DownloadLink($0) == nil }
    }

    enum CodingKeys: String, CodingKey {
        case dataLinks = "data_links"
        case attachmentLinks = "attachment_links"
        case expiryDate = "expiry_date"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(dataLinks: try c.decodeIfPresent([String].self, forKey: .dataLinks) ?? [],
                  attachmentLinks: try c.decodeIfPresent([String].self, forKey: .attachmentLinks) ?? [],
                  expiryDate: try c.decodeZohoDateIfPresent(forKey: .expiryDate))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dataLinks, forKey: .dataLinks)
        try c.encode(attachmentLinks, forKey: .attachmentLinks)
        try c.encodeZohoDate(expiryDate, forKey: .expiryDate, userInfo: encoder.userInfo)
    }

    /// Every link as Zoho wrote it, data first.
    public var allLinks: [String] { dataLinks + attachmentLinks }
}
