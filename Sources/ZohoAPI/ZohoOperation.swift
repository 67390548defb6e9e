/// The calls the client makes, for errors, logs and metrics.
public enum ZohoOperation: String, Sendable, Hashable, CaseIterable {
    case token = "token refresh"
    case authorize = "authorization"
    case schedule = "schedule"
    case backupInfo = "get backup"
    case downloadURLs = "get download links"
    case history = "get history"
    case cancel = "cancel"
    case download = "download"
}
