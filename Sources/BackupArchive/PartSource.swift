/// One part of a backup job, as its link names it.
public struct PartRef: Sendable, Hashable, Codable {
    /// `Data_001.zip`, `Attachments_002.zip`, … (already checked safe: no `/`, no `..`).
    public var fileName: String
    /// Where the source fetches it from (for Zoho: the link as `/backup/urls` gave it).
    public var url: String

    /// Makes a part reference from its file name and link.
    public init(fileName: String, url: String) {
        self.fileName = fileName
        self.url = url
    }
}

/// Where a part's bytes come from: the archive does not know Zoho.
public protocol PartSource: Sendable {
    /// Streams `part` from byte `offset` into `sink`.
    ///
    /// - Parameter sink: called with each piece as it arrives: `start` is where the stream's
    ///   first byte belongs in the file (the requested offset, or 0 when the server ignored
    ///   the range), `total` the file's size when known.
    /// - Throws: the source's error when the stream fails; what reached `sink` stays valid.
    ///   An error `sink` throws is thrown unchanged (the archive tells its own errors apart).
    func fetch(_ part: PartRef, from offset: Int64,
               into sink: (_ start: Int64, _ total: Int64?, _ bytes: UnsafeRawBufferPointer) throws -> Void) async throws
}
