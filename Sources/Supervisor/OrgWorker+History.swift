import Foundation
import ZohoAPI
import ZohoModel

extension OrgWorker {
    /// Zoho's backup history of the org, every page (with the cached token, shared with the daemon).
    public func history() async -> OrgHistory {
        do { _ = try environment.credentials.load(policy.credentials, org: policy.name) } catch {
            return OrgHistory(org: policy.name, error: "credentials: \(error.message)")
        }
        guard let client = connect() else { return OrgHistory(org: policy.name, error: lastErrorText) }
        do {
            return OrgHistory(org: policy.name, entries: try await client.history())
        } catch {
            return OrgHistory(org: policy.name, error: error.description)
        }
    }
}

/// One org's history, as `history` prints it (and `--json` writes it).
public struct OrgHistory: Encodable, Sendable {
    public var org: String
    /// Newest first; nil when it could not be read.
    public var entries: [BackupHistoryEntry]?
    /// Why it could not be read.
    public var error: String?
}
