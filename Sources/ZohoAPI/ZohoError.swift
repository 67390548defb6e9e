import ZohoModel

/// Every failure talking to Zoho, with who, what and what to do.
///
/// Keeps the HTTP status, Zoho's `code`, message and details, and which org, operation,
/// job and file it concerns. ``hint`` is what the CLI and the journal tell the admin.
/// Never carries a token or secret.
public struct ZohoError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure: decides retrying, backoff and the hint.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Access refused: the token, the grant's scopes, or the Zoho user's profile.
        case invalidToken, scopeMismatch, noPermission
        /// No token: unknown client, invalid or revoked refresh token, or the token limit (Zoho's, or `token.lock` held too long).
        case invalidClient, invalidRefreshToken, tokenLimit
        /// Zoho refused the backup operation itself; ``code`` has its reason.
        case alreadyScheduled, alreadyCancelled, inProgress, invalidData, limitExceeded, notFound
        /// Throttled, 5xx, other 4xx, no answer, a POST of unknown effect, an unreadable answer, a refused link or redirect.
        case rateLimited, server, badRequest, network, ambiguousPost, malformedResponse, linkRefused
        /// The caller's sink refused the bytes (e.g. a full disk); ``cause`` is its error.
        /// Internal to a download: ``ZohoClient/download(_:from:into:)`` throws the cause itself.
        case sinkFailed
    }

    /// What kind of failure; decides retrying and the ``hint``.
    public var kind: Kind
    /// The org the call was for.
    public var org: String
    /// Which call failed.
    public var operation: ZohoOperation
    /// The HTTP status of Zoho's answer; nil when no answer was involved (network, token cache).
    public var httpStatus: Int?
    /// Zoho's `code` (`BACKUP_ALREADY_SCHEDULED`, …) or the OAuth `error` (`invalid_code`).
    public var code: String?
    /// Zoho's message, or ours describing the failure; nil when there is none.
    public var message: String?
    /// Zoho's `details` object (e.g. `id`, `api_name`); empty when it sent none.
    public var details: [String: JSONValue]
    /// The backup job concerned; nil for calls about no particular job.
    public var jobID: String?
    /// The part file concerned (downloads); nil otherwise.
    public var file: String?
    /// How long Zoho asked to wait (`Retry-After`), when it did.
    public var retryAfter: Duration?
    /// For `sinkFailed`: the sink's own error.
    public var cause: (any Error)?

    /// Makes an error from its parts; only `kind`, `org` and `operation` are required.
    public init(kind: Kind, org: String, operation: ZohoOperation, httpStatus: Int? = nil, code: String? = nil,
                message: String? = nil, details: [String: JSONValue] = [:], jobID: String? = nil,
                file: String? = nil, retryAfter: Duration? = nil, cause: (any Error)? = nil) {
        self.kind = kind
        self.org = org
        self.operation = operation
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.details = details
        self.jobID = jobID
        self.file = file
        self.retryAfter = retryAfter
        self.cause = cause
    }

    /// Whether the same request may simply be sent again later (after a backoff).
    public var isTransient: Bool {
        switch kind {
        case .rateLimited, .server, .network, .tokenLimit: true
        default: false
        }
    }

    /// `[acme] schedule: Zoho answered 400 BACKUP_ALREADY_SCHEDULED (Backup is already scheduled; job 48…). What to do.`
    public var description: String {
        var what = "[\(org)] \(operation.rawValue)"
        if let jobID { what += " job \(jobID)" }
        if let file { what += " \(file)" }
        var answer: String
        switch (httpStatus, code) {
        case (let status?, let code?): answer = "Zoho answered \(status) \(code)"
        case (let status?, nil): answer = "Zoho answered HTTP \(status)"
        case (nil, let code?): answer = "Zoho answered \(code)"
        case (nil, nil): answer = kind == .network ? "no answer from Zoho" : "failed"
        }
        var extra: [String] = []
        if let message, !message.isEmpty { extra.append(message) }
        if let id = details["id"]?.text, id != jobID { extra.append("job \(id)") }
        if let field = details["api_name"]?.text { extra.append("field \(field)") }
        if !extra.isEmpty { answer += " (" + extra.joined(separator: "; ") + ")" }
        return "\(what): \(answer). \(hint)"
    }

    /// What the admin should do (or what the daemon does by itself).
    public var hint: String {
        switch kind {
        case .invalidToken:
            "The access token was refused even after a refresh; check data_center and the endpoints of org \(org), then run `zoho-crm-backup auth --org \(org)`."
        case .scopeMismatch:
            "The client lacks a scope: make a new grant with the scopes ZohoCRM.bulk.backup.ALL,ZohoFiles.files.ALL and run `zoho-crm-backup auth --org \(org)`."
        case .noPermission:
            "The Zoho user behind the credentials must have the Administrator profile to schedule, view or download backups."
        case .invalidClient:
            "Zoho does not know this client_id/client_secret at this data centre: check data_center for org \(org) and the credentials file (the client may need enabling for this data centre in Zoho's API console)."
        case .invalidRefreshToken:
            "The refresh token is invalid or was revoked: run `zoho-crm-backup auth --org \(org)` with a new grant code."
        case .tokenLimit:
            "Zoho allows 10 access tokens per 10 minutes per refresh token; the daemon waits for the window to pass. If another program uses the same refresh token, give it its own."
        case .alreadyScheduled:
            "Zoho allows one backup at a time; wait for the scheduled one, or use `zoho-crm-backup now --replace-schedule`."
        case .alreadyCancelled:
            "The backup was already cancelled; nothing to do."
        case .inProgress:
            "A running backup cannot be cancelled; the daemon waits for it to finish."
        case .invalidData:
            "Zoho refused the request's data; check the org's schedule in the policy (`zoho-crm-backup check`)."
        case .limitExceeded:
            "This month's backups are used up; Zoho refreshes the quota next month, or you can buy additional backups in Zoho."
        case .notFound:
            "Zoho no longer knows this backup; the daemon looks at Zoho's state again."
        case .rateLimited:
            "Zoho is throttling requests; the daemon waits\(retryAfter.map { " \(TimeSpan.format($0))" } ?? "") and retries."
        case .server:
            "Zoho had an internal error; the daemon retries with backoff. If it persists, check Zoho's status page."
        case .badRequest:
            "Zoho refused the request; if this persists after an upgrade, report it with this journal entry."
        case .network:
            "Zoho could not be reached; check DNS, proxy and firewall for the org's hosts. The daemon retries with backoff."
        case .ambiguousPost:
            "The schedule request may or may not have reached Zoho; to protect the monthly quota the daemon looks at Zoho's state before it tries again."
        case .malformedResponse:
            "Zoho's answer could not be read; Zoho may have changed its API. Report it with this journal entry."
        case .linkRefused:
            "The download link was not followed and the token was not sent; see the reason above."
        case .sinkFailed:
            "Writing the downloaded bytes failed: \(cause.map { "\($0)" } ?? "see above")."
        }
    }
}
