import Foundation

/// One backup part's download link, as `/backup/urls` gives it:
/// `{download-host}/v2/crm/{zgid}/backup/{job-id}/{Data|Attachments}_NNN.zip`.
///
/// The daemon never builds these URLs; it reads them, and knows a backup by the job id in
/// them. Parsing refuses anything that could not safely name a file on disk.
public struct DownloadLink: Hashable, Sendable, CustomStringConvertible {
    /// Which kind of part a file is.
    public enum Kind: String, Hashable, Sendable, Codable {
        case data = "Data"
        case attachments = "Attachments"
    }

    /// The link exactly as Zoho gave it.
    public let url: String
    public let scheme: String
    /// Lower-cased host name.
    public let host: String
    public let port: Int?
    public let zgid: String
    public let jobID: String
    /// `Data_001.zip`, `Attachments_002.zip`, …
    public let fileName: String
    public let kind: Kind
    /// The part number: 1 for `_001`.
    public let number: Int

    /// Parses a link; nil when it is not a backup part link of the documented shape, or when
    /// an id or the file name carries anything but letters, digits, `_` and `-`
    /// (so no `/`, `..` or percent-escape can reach a path on disk).
    public init?(_ url: String) {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = c.host?.lowercased(), !host.isEmpty,
              c.user == nil, c.password == nil, c.fragment == nil, !c.percentEncodedPath.contains("%")
        else { return nil }
        let parts = c.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // "", "v2", "crm", zgid, "backup", job, file
        guard parts.count == 7, parts[0].isEmpty, parts[1].first == "v", Int(parts[1].dropFirst()) != nil,
              parts[2] == "crm", parts[4] == "backup",
              Self.isSafeID(parts[3]), Self.isSafeID(parts[5]),
              let (kind, number) = Self.parseFileName(parts[6])
        else { return nil }
        self.url = url
        self.scheme = scheme
        self.host = host
        self.port = c.port
        self.zgid = parts[3]
        self.jobID = parts[5]
        self.fileName = parts[6]
        self.kind = kind
        self.number = number
    }

    /// `host` or `host:port`, as the allow-list writes it.
    public var hostAndPort: String { port.map { "\(host):\($0)" } ?? host }

    public var description: String { url }

    /// `Data_NNN.zip` / `Attachments_NNN.zip` with at least 3 digits; returns kind and number.
    public static func parseFileName(_ name: String) -> (Kind, Int)? {
        for kind in [Kind.data, .attachments] {
            let prefix = kind.rawValue + "_"
            guard name.hasPrefix(prefix), name.hasSuffix(".zip") else { continue }
            let digits = name.dropFirst(prefix.count).dropLast(4)
            guard digits.count >= 3, digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let number = Int(digits), number >= 1 else { return nil }
            return (kind, number)
        }
        return nil
    }

    static func isSafeID(_ text: String) -> Bool {
        (1...64).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}

/// Stored as the link itself (`state.json` keeps Zoho's strings); a stored string that no
/// longer parses is a decoding error.
extension DownloadLink: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let link = DownloadLink(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a backup part link: \(text.prefix(200))"))
        }
        self = link
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(url)
    }
}
