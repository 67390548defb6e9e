import Foundation
import ZohoModel

/// The simulated Zoho: accounts server, backup API and download host of one org, as one
/// state machine driven by an injected clock. The HTTP server (``SimulatorServer``) hands it
/// requests; tests can also drive and inspect it directly (advance the clock, read the
/// request log, inject faults).
public actor SimulatedZoho {
    public let config: SimulatorConfig
    public let clock: any WallClock

    /// Every request answered, in order.
    public private(set) var requestLog: [LoggedRequest] = []
    var faults: [Fault] = []
    /// Rewrites the links `/backup/urls` serves (tests of links the daemon cannot read).
    var linkRewrite: (@Sendable ([String]) -> [String])?

    // OAuth
    var accessTokens: [String: Double] = [:]
    var tokenRequests: [Double] = []
    var tokenCounter = 0

    // Backups
    var schedule: RecurringSchedule?
    var currentRun: Run?
    var completedRuns: [Run] = []
    var lastJob: BackupJob?
    var history: [BackupHistoryEntry] = []
    var idCounter = 0
    /// The org's CRM data now; each completed backup keeps a copy.
    public internal(set) var dataset: SimulatedDataset

    /// `scheme://host:port` that download links point at; the server sets its own address.
    public private(set) var downloadBase = "http://127.0.0.1"

    /// Points download links at `base` (e.g. `http://127.0.0.1:8080`).
    public func setDownloadBase(_ base: String) { downloadBase = base }

    public init(config: SimulatorConfig = SimulatorConfig(), clock: any WallClock) {
        self.config = config
        self.clock = clock
        dataset = config.content.dataset(seed: config.seed, attachmentParts: config.attachmentParts)
    }

    /// Does what an admin does in Zoho's web UI: the next backup shows it.
    public func admin(_ action: AdminAction) { dataset.admin(action) }

    /// A request the simulator answered.
    public struct LoggedRequest: Sendable, Equatable {
        public var method: String
        public var path: String
        public var status: Int
        /// The access token the request carried, if any.
        public var token: String?
        public var time: Double
        /// The `Range` header of a download, if any.
        public var range: String?
    }

    /// Called with every request as it is logged (the `simulator --log-requests` command line).
    var observer: (@Sendable (LoggedRequest) -> Void)?

    /// Calls `observer` with every request the simulator answers from now on.
    public func observe(_ observer: @escaping @Sendable (LoggedRequest) -> Void) { self.observer = observer }

    /// Answers one request.
    public func handle(_ request: SimulatedRequest) -> SimulatedResponse {
        advance()
        let response = fault(for: request) ?? route(request)
        log(request, status: response.status)
        return response
    }

    /// Records a request in the log (status 0: the connection was cut without an answer).
    func log(_ request: SimulatedRequest, status: Int) {
        let token = request.header("Authorization").map { String($0.dropFirst("Zoho-oauthtoken ".count)) }
        let entry = LoggedRequest(method: request.method, path: request.path, status: status, token: token, time: clock.now,
                                  range: request.header("Range"))
        requestLog.append(entry)
        observer?(entry)
    }

    private func route(_ r: SimulatedRequest) -> SimulatedResponse {
        let parts = r.path.split(separator: "/").map(String.init)
        if r.path == "/oauth/v2/token" {
            return r.method == "POST" ? token(r) : invalidMethod()
        }
        // /crm/bulk/{v7|v8}/backup[/urls|/history|/{id}/actions/cancel]
        if parts.count >= 4, parts[0] == "crm", parts[1] == "bulk", ["v7", "v8"].contains(parts[2]), parts[3] == "backup" {
            if let denied = authorize(r) { return denied }
            switch (r.method, Array(parts.dropFirst(4))) {
            case ("GET", []): return getBackup()
            case ("POST", []): return postBackup(r)
            case ("GET", ["urls"]): return getURLs()
            case ("GET", ["history"]): return getHistory(r)
            case ("PUT", let rest) where rest.count == 3 && rest[1] == "actions" && rest[2] == "cancel": return cancel(rest[0])
            case (_, []), (_, ["urls"]), (_, ["history"]): return invalidMethod()
            default: break
            }
        }
        // /v2/crm/{zgid}/backup/{job}/{file}
        if parts.count == 6, parts[0] == "v2", parts[1] == "crm", parts[3] == "backup" {
            if let denied = authorize(r) { return denied }
            let range = takeIgnoreRange(for: r) ? nil : r.header("Range")
            return r.method == "GET" ? download(zgid: parts[2], job: parts[4], file: parts[5], range: range) : invalidMethod()
        }
        return .error(404, code: "INVALID_URL_PATTERN", message: "Please check if the URL trying to access is a correct one", nested: false)
    }

    private func invalidMethod() -> SimulatedResponse {
        .error(400, code: "INVALID_REQUEST_METHOD", message: "The http request method type is not a valid one", nested: false)
    }

    /// A Zoho-like 19-digit id, deterministic from the seed.
    func newID() -> String {
        idCounter += 1
        return String(4_876_876_000_000_000_000 + Int64(config.seed % 1_000) * 1_000_000 + Int64(idCounter) * 1_001)
    }

    // MARK: - Inspection for tests

    public var quotaUsedThisMonth: Int { completions(inMonthOf: clock.now) }

    /// The job ids (as in the links) of every backup Zoho completed, oldest first.
    public var completedJobIDs: [String] { completedRuns.filter { $0.status == .completed }.map(\.jobID) }

    /// The data backup `jobID` (as in its links) holds.
    public func dataset(ofJob jobID: String) -> SimulatedDataset? { completedRuns.first { $0.jobID == jobID }?.dataset }

    /// How many requests matched `method` and a path containing `fragment`.
    public func count(_ method: String, _ fragment: String) -> Int {
        requestLog.filter { $0.method == method && $0.path.contains(fragment) }.count
    }
}
