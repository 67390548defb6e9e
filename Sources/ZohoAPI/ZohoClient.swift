import Foundation
import Logging
import ZohoModel

/// The Zoho CRM backup API for one org: the five JSON operations here, the download in
/// `ZohoClient+Download.swift`.
///
/// Every call carries `Authorization: Zoho-oauthtoken …` from the ``TokenProvider``; a token
/// Zoho refuses (401 `INVALID_TOKEN`/`AUTHENTICATION_FAILURE`) is refreshed once and the call
/// retried once. 429, 5xx and connection failures back off per ``RetryPolicy`` on the
/// injected clock; a POST is never repeated when its effect is unknown.
public struct ZohoClient: Sendable {
    /// The org this client calls Zoho for, named in errors and logs.
    public let org: String
    /// The org's accounts, API and download hosts.
    public let endpoints: ZohoEndpoints
    let tokens: TokenProvider
    let transport: any HTTPTransport
    let clock: any WallClock
    let retry: RetryPolicy
    let jitter: @Sendable () -> Double
    let logger: Logger

    /// Makes the org's client; `jitter` (0..<1) spreads retry waits, tests pass a fixed one.
    public init(org: String, endpoints: ZohoEndpoints, tokens: TokenProvider, transport: any HTTPTransport,
                clock: any WallClock, retry: RetryPolicy = RetryPolicy(),
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, logger: Logger) {
        self.org = org
        self.endpoints = endpoints
        self.tokens = tokens
        self.transport = transport
        self.clock = clock
        self.retry = retry
        self.jitter = jitter
        self.logger = logger
    }

    /// `GET /backup`: the latest backup or schedule; nil when Zoho has none (204).
    public func backupInfo() async throws(ZohoError) -> BackupJob? {
        guard let body = try await call(.backupInfo, "GET", endpoints.backupBase) else { return nil }
        return try ZohoEnvelope.decode(BackupWrapper<BackupJob>.self, from: body, org: org, operation: .backupInfo).backup
    }

    /// `GET /backup/urls`: the links of the latest completed backup; nil when there are none (204).
    public func downloadURLs() async throws(ZohoError) -> BackupURLs? {
        guard let body = try await call(.downloadURLs, "GET", endpoints.backupBase + "/urls") else { return nil }
        return try ZohoEnvelope.decode(URLsWrapper.self, from: body, org: org, operation: .downloadURLs).urls
    }

    /// `GET /backup/history`, every page (200 entries each); empty when Zoho has none (204).
    public func history() async throws(ZohoError) -> [BackupHistoryEntry] {
        var entries: [BackupHistoryEntry] = []
        var page = 1
        while page <= 100 {
            guard let body = try await call(.history, "GET", endpoints.backupBase + "/history?page=\(page)&per_page=200") else { break }
            let decoded = try ZohoEnvelope.decode(BackupHistoryPage.self, from: body, org: org, operation: .history)
            entries += decoded.history
            guard decoded.info.moreRecords, !decoded.history.isEmpty else { break }
            page += 1
        }
        return entries
    }

    /// `POST /backup`: schedules `rule`, or an immediate backup when nil. Returns Zoho's id.
    ///
    /// - Throws: ``ZohoError``; kind `ambiguousPost` when the request may have taken effect
    ///   (observe with ``backupInfo()`` before trying again).
    public func schedule(_ rule: RRule?) async throws(ZohoError) -> String {
        var body: Data?
        if let rule {
            body = try? JSONSerialization.data(withJSONObject: ["backup": ["rrule": rule.normalized]])
        }
        let answer = try await call(.schedule, "POST", endpoints.backupBase, body: body)
        guard let answer, let response = ZohoEnvelope.actionResponse(in: answer), response.code == "SUCCESS",
              let id = response.detailID else {
            throw ZohoError(kind: .malformedResponse, org: org, operation: .schedule, httpStatus: 200,
                            message: "Zoho's answer has no SUCCESS status with a job id; look at `zoho-crm-backup status` before trying again")
        }
        return id
    }

    /// `PUT /backup/{id}/actions/cancel`.
    public func cancel(jobID: String) async throws(ZohoError) {
        let answer = try await call(.cancel, "PUT", endpoints.backupBase + "/\(jobID)/actions/cancel", jobID: jobID)
        guard let answer, ZohoEnvelope.actionResponse(in: answer)?.code == "SUCCESS" else {
            throw ZohoError(kind: .malformedResponse, org: org, operation: .cancel, httpStatus: 200,
                            message: "Zoho's answer has no SUCCESS status", jobID: jobID)
        }
    }

    /// Sends one API call with token, refresh-once and retries; the body of a 2xx answer,
    /// nil for 204.
    func call(_ operation: ZohoOperation, _ method: String, _ url: String, body: Data? = nil,
              jobID: String? = nil) async throws(ZohoError) -> Data? {
        try await withRetries(operation, isPost: method == "POST") { token throws(ZohoError) in
            var headers = [("Authorization", "Zoho-oauthtoken \(token)")]
            if body != nil { headers.append(("Content-Type", "application/json")) }
            let response: HTTPResponse
            do throws(TransportFailure) {
                response = try await transport.send(HTTPRequest(method: method, url: url, headers: headers, body: body))
            } catch {
                return .failed(ZohoError(kind: .network, org: org, operation: operation, message: error.reason, jobID: jobID),
                               outcome: error.outcome)
            }
            if response.status == 204 { return .done(nil) }
            if (200..<300).contains(response.status) { return .done(response.body) }
            return failed(response, operation: operation, jobID: jobID)
        }
    }

    /// One attempt's result, for ``withRetries(_:isPost:_:)``.
    enum Attempt<T> {
        case done(T)
        case failed(ZohoError, outcome: RetryPolicy.Outcome)
    }

    /// The error an answer means, and what retrying should make of it.
    func failed<T>(_ response: HTTPResponse, operation: ZohoOperation, jobID: String? = nil, file: String? = nil) -> Attempt<T> {
        if (300...399).contains(response.status) {
            // Never followed: the token must not go where Zoho's answer points.
            let target = response.header("Location").flatMap { URLComponents(string: $0)?.host } ?? "an unnamed place"
            let error = ZohoError(kind: .linkRefused, org: org, operation: operation, httpStatus: response.status,
                                  message: "Zoho redirected the request to \(target); redirects are never followed, so the token is not sent there",
                                  jobID: jobID, file: file)
            return .failed(error, outcome: .status(response.status, retryAfter: nil))
        }
        var retryAfter: Duration?
        switch RetryAfter.read(response.header("Retry-After"), now: clock.now) {
        case .wait(let wait): retryAfter = wait
        case .ignored(let value):
            logger.warning("[\(org)] Zoho asked to retry after '\(value)', more than a day away: ignored, the usual backoff applies")
        case .absent: break
        }
        let error = ZohoEnvelope.error(status: response.status, body: response.body, org: org, operation: operation,
                                       jobID: jobID, file: file, retryAfter: retryAfter)
        return .failed(error, outcome: .status(response.status, retryAfter: retryAfter))
    }

    /// Runs `attempt` with an access token until it is done or the ``RetryPolicy`` gives up:
    /// a refused token is replaced once and the attempt repeated at once; other failures wait
    /// on the injected clock as the policy says. A POST whose effect is unknown ends as
    /// `ambiguousPost`.
    func withRetries<T>(_ operation: ZohoOperation, isPost: Bool,
                        _ attempt: (String) async throws(ZohoError) -> Attempt<T>) async throws(ZohoError) -> T {
        var number = 1
        var refreshed = false
        var token = try await tokens.accessToken()
        while true {
            let (failure, outcome): (ZohoError, RetryPolicy.Outcome)
            switch try await attempt(token) {
            case .done(let value):
                return value
            case .failed(let error, _) where error.kind == .invalidToken && !refreshed:
                refreshed = true
                token = try await tokens.replace(rejected: token)
                continue
            case .failed(let error, let how):
                (failure, outcome) = (error, how)
            }
            switch retry.decide(outcome, attempt: number, isPost: isPost, jitter: jitter()) {
            case .fail:
                throw failure
            case .ambiguous:
                var ambiguous = failure
                ambiguous.kind = .ambiguousPost
                throw ambiguous
            case .retry(let wait):
                var metadata: Logger.Metadata = [LogKey.org: "\(org)", "attempt": "\(number)"]
                if let job = failure.jobID { metadata["job_id"] = "\(job)" }
                if let file = failure.file { metadata["file"] = "\(file)" }
                logger.notice("\(operation.rawValue) failed (\(failure.code ?? failure.message ?? failure.kind.rawValue)); retrying in \(TimeSpan.format(wait))",
                              metadata: metadata)
                do { try await clock.sleep(for: wait) } catch { throw failure }
                number += 1
            }
        }
    }
}

extension TransportFailure {
    /// What retrying makes of a connection failure.
    var outcome: RetryPolicy.Outcome {
        switch self {
        case .notSent: .notSent
        case .lostAfterSending: .lostAfterSending
        }
    }
}
