/// The calls the client makes, for errors, logs and metrics.
public enum ZohoOperation: String, Sendable, Hashable, CaseIterable {
    /// The refresh-token grant, for an access token.
    case token = "token refresh"
    /// The authorization-code grant of the `auth` command.
    case authorize = "authorization"
    /// `POST /backup`: schedule a backup, or ask for one now.
    case schedule = "schedule"
    /// `GET /backup`.
    case backupInfo = "get backup"
    /// `GET /backup/urls`.
    case downloadURLs = "get download links"
    /// `GET /backup/history`.
    case history = "get history"
    /// `PUT /backup/{id}/actions/cancel`.
    case cancel = "cancel"
    /// Fetching a part from a download link.
    case download = "download"
}
