import BackupArchive
import ZohoAPI

/// `BackupArchive`'s part source over one org's ``ZohoClient``: the archive asks for bytes
/// from an offset, the client follows the part's link (allow-list, token, `Range`).
public struct ZohoPartSource: PartSource {
    public let client: ZohoClient

    public init(client: ZohoClient) { self.client = client }

    public func fetch(_ part: PartRef, from offset: Int64,
                      into sink: (_ start: Int64, _ total: Int64?, _ bytes: UnsafeRawBufferPointer) throws -> Void) async throws {
        // The archive's own error (a full disk, say) comes back from the client as it was.
        _ = try await client.download(part.url, from: offset, into: sink)
    }
}
