import Foundation
import ZohoModel

/// A recurring schedule made by `POST /backup` with an rrule.
struct RecurringSchedule: Sendable {
    var id: String
    var rule: RRule
    var ruleText: String
    /// The anchor: when the schedule was made.
    var start: Double
    var nextOccurrence: Double?
}

/// One backup run: immediate (no schedule) or an occurrence of the schedule.
struct Run: Sendable {
    /// The id `GET /backup` shows: the schedule's, or the immediate request's.
    var requestID: String
    var scheduleID: String?
    /// The id in the run's download links (Zoho's differ from the request's).
    var jobID: String
    var started: Double
    var completesAt: Double
    var status: BackupStatus
    var expiresAt: Double?
    var parts: [String] = []
    /// What the backup holds (set when it completes).
    var dataset: SimulatedDataset?
}

extension SimulatedZoho {
    static let requester = Requester(id: "4876876000000327001", name: "Simulated Admin", zuid: "7534658674")

    /// Moves the state machine to the clock's now: starts the schedule's occurrences and
    /// completes runs whose time has come, in time order.
    func advance() {
        let now = clock.now
        for _ in 0..<100_000 {
            if let run = currentRun, run.completesAt <= now {
                finish(run)
                continue
            }
            if currentRun == nil, var s = schedule, let occurrence = s.nextOccurrence, occurrence <= now {
                currentRun = Run(requestID: s.id, scheduleID: s.id, jobID: newID(), started: occurrence,
                                 completesAt: occurrence + seconds(config.jobDuration), status: .inProgress)
                s.nextOccurrence = nextOccurrence(of: s, after: occurrence)
                schedule = s
                continue
            }
            return
        }
    }

    private func finish(_ run: Run) {
        var run = run
        let overQuota = completions(inMonthOf: run.completesAt) >= config.monthlyQuota
        run.status = overQuota ? .failed : .completed
        if !overQuota {
            dataset.takeBackup()
            run.dataset = dataset
            run.expiresAt = run.completesAt + seconds(config.linkLifetime)
            run.parts = (1...max(1, config.dataParts)).map { String(format: "Data_%03d.zip", $0) }
                + (0..<config.attachmentParts).map { String(format: "Attachments_%03d.zip", $0 + 1) }
        }
        completedRuns.append(run)
        currentRun = nil
        if run.scheduleID == nil {
            lastJob = BackupJob(id: run.requestID, rrule: nil, status: run.status, startDate: nil, scheduledDate: nil, requester: Self.requester)
        }
        history.append(BackupHistoryEntry(
            id: newID(), logTime: Date(timeIntervalSince1970: run.completesAt), action: nil,
            repeatType: run.scheduleID == nil ? "immediate" : repeatType(schedule?.rule), count: overQuota ? 0 : run.parts.count,
            fileName: nil, state: overQuota ? "failure" : "completed", doneBy: Self.requester))
    }

    /// Completed backups in the calendar month (user's zone) of `time`.
    func completions(inMonthOf time: Double) -> Int {
        let calendar = Calendar.gregorian(in: config.userTimeZone)
        let (day, _) = calendar.civil(Date(timeIntervalSince1970: time))
        return completedRuns.filter { run in
            guard run.status == .completed else { return false }
            let (d, _) = calendar.civil(Date(timeIntervalSince1970: run.completesAt))
            return d.year == day.year && d.month == day.month
        }.count
    }

    func nextOccurrence(of s: RecurringSchedule, after time: Double) -> Double? {
        s.rule.nextOccurrence(after: Date(timeIntervalSince1970: time), anchor: Date(timeIntervalSince1970: s.start),
                              timeZone: config.userTimeZone)?.timeIntervalSince1970
    }

    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    func repeatType(_ rule: RRule?) -> String? {
        guard let rule else { return nil }
        switch (rule.frequency, rule.interval) {
        case (.weekly, 1): return "weekly"
        case (.weekly, 2): return "biweekly"
        default: return "monthly"
        }
    }

    // MARK: - Endpoints

    func getBackup() -> SimulatedResponse {
        let job: BackupJob
        if let run = currentRun, run.scheduleID == nil {
            job = BackupJob(id: run.requestID, rrule: nil, status: .inProgress, startDate: nil, scheduledDate: nil, requester: Self.requester)
        } else if let s = schedule {
            job = BackupJob(id: s.id, rrule: s.ruleText, status: currentRun == nil ? .scheduled : .inProgress,
                            startDate: Date(timeIntervalSince1970: s.start),
                            scheduledDate: s.nextOccurrence.map { Date(timeIntervalSince1970: $0) }, requester: Self.requester)
        } else if let last = lastJob {
            job = last
        } else {
            return .noContent
        }
        return .json(200, encodable: BackupWrapper(backup: job), zone: config.userTimeZone)
    }

    func postBackup(_ r: SimulatedRequest) -> SimulatedResponse {
        var ruleText: String?
        if !r.body.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: r.body) as? [String: Any],
                  let backup = object["backup"] as? [String: Any] else {
                return .error(400, code: "REQUEST_BODY_NOT_READABLE", message: "unable to process your request. please verify whether you have entered proper method name, parameter and parameter values.", nested: false)
            }
            // No rrule (absent or null, as backup.json allows) asks for an immediate backup, like an empty body.
            if let value = backup["rrule"], !(value is NSNull) {
                guard let text = value as? String, (try? RRule(parsing: text)) != nil else {
                    return .error(400, code: "INVALID_DATA", message: "Invalid data", details: ["api_name": "rrule", "json_path": "$.backup.rrule"], nested: true)
                }
                ruleText = text
            }
        }
        if let pending = currentRun?.requestID ?? schedule?.id {
            return .error(400, code: "BACKUP_ALREADY_SCHEDULED", message: "Backup is already scheduled", details: ["id": pending], nested: true)
        }
        let id = newID()
        let now = clock.now
        if let ruleText, let rule = try? RRule(parsing: ruleText) {
            // The first run is the rule's first day after now, at this time of day; it anchors INTERVAL.
            let first = rule.nextOccurrence(after: Date(timeIntervalSince1970: now), anchor: Date(timeIntervalSince1970: now),
                                            timeZone: config.userTimeZone)?.timeIntervalSince1970
            schedule = RecurringSchedule(id: id, rule: rule, ruleText: ruleText, start: first ?? now, nextOccurrence: first)
            history.append(BackupHistoryEntry(id: newID(), logTime: Date(timeIntervalSince1970: now), action: "scheduled",
                                              repeatType: repeatType(rule), count: 0, fileName: nil, state: nil, doneBy: Self.requester))
        } else {
            guard completions(inMonthOf: now) < config.monthlyQuota else {
                return .error(400, code: "LIMIT_EXCEEDED", message: "Backup limit exceeded.", nested: true)
            }
            currentRun = Run(requestID: id, scheduleID: nil, jobID: newID(), started: now,
                             completesAt: now + seconds(config.jobDuration), status: .inProgress)
            history.append(BackupHistoryEntry(id: newID(), logTime: Date(timeIntervalSince1970: now), action: "initiated",
                                              repeatType: "immediate", count: 0, fileName: nil, state: nil, doneBy: Self.requester))
        }
        return .json(200, ["backup": ["status": "success", "code": "SUCCESS", "message": "Backup scheduled successfully.", "details": ["id": id]]])
    }

    func cancel(_ id: String) -> SimulatedResponse {
        if let s = schedule, s.id == id {
            if currentRun?.scheduleID == id {
                return .error(400, code: "INPROGRESS", message: "Backup is in progress", details: ["id": id], nested: true)
            }
            schedule = nil
            lastJob = BackupJob(id: id, rrule: s.ruleText, status: .stopped, startDate: Date(timeIntervalSince1970: s.start),
                                scheduledDate: nil, requester: Self.requester)
            history.append(BackupHistoryEntry(id: newID(), logTime: Date(timeIntervalSince1970: clock.now), action: "stopped",
                                              repeatType: repeatType(s.rule), count: 0, fileName: nil, state: nil, doneBy: Self.requester))
            return .json(200, ["backup": ["status": "success", "code": "SUCCESS", "message": "Backup stopped successfully.", "details": ["id": id]]])
        }
        if currentRun?.requestID == id {
            return .error(400, code: "INPROGRESS", message: "Backup is in progress", details: ["id": id], nested: true)
        }
        if lastJob?.id == id, lastJob?.status == .stopped {
            return .error(400, code: "ALREADY_CANCELLED", message: "Backup is already canceled", details: ["id": id], nested: true)
        }
        return .error(400, code: "RESOURCE_NOT_FOUND", message: "The requested resource is not found", nested: false)
    }

    /// The latest completed run with live links.
    var downloadableRun: Run? {
        guard let run = completedRuns.last(where: { $0.status == .completed }), let expiry = run.expiresAt, expiry > clock.now else { return nil }
        return run
    }

    func getURLs() -> SimulatedResponse {
        guard let run = downloadableRun else { return .noContent }
        let base = "\(downloadBase)/v2/crm/\(config.zgid)/backup/\(run.jobID)/"
        let rewrite = linkRewrite ?? { $0 }
        let urls = BackupURLs(dataLinks: rewrite(run.parts.filter { $0.hasPrefix("Data_") }.map { base + $0 }),
                              attachmentLinks: rewrite(run.parts.filter { $0.hasPrefix("Attachments_") }.map { base + $0 }),
                              expiryDate: run.expiresAt.map { Date(timeIntervalSince1970: $0) })
        return .json(200, encodable: URLsWrapper(urls: urls), zone: config.userTimeZone)
    }

    /// From now on `/backup/urls` serves `transform` of each list of links (nil: as made).
    public func rewriteLinks(_ transform: (@Sendable ([String]) -> [String])?) { linkRewrite = transform }

    func getHistory(_ r: SimulatedRequest) -> SimulatedResponse {
        let perPage = min(max(Int(r.query["per_page"] ?? "") ?? 200, 1), 200)
        let page = max(Int(r.query["page"] ?? "") ?? 1, 1)
        let newestFirst = Array(history.reversed())
        let start = (page - 1) * perPage
        guard start < newestFirst.count else { return .noContent }
        let slice = Array(newestFirst[start..<min(start + perPage, newestFirst.count)])
        let info = PageInfo(perPage: perPage, count: slice.count, page: page, moreRecords: start + perPage < newestFirst.count)
        return .json(200, encodable: BackupHistoryPage(history: slice, info: info), zone: config.userTimeZone)
    }
}

extension SimulatedZoho {
    /// Starts an immediate backup as an admin would in Zoho's web UI (not an API request:
    /// nothing is logged as one). - Returns: the request's id, or nil when Zoho refuses
    /// (one already pending, or the month's quota used up).
    @discardableResult
    public func startBackupFromUI() -> String? {
        let answer = postBackup(SimulatedRequest(method: "POST", uri: "/crm/bulk/v7/backup", headers: [], body: Data()))
        guard answer.status == 200, case .bytes(let data) = answer.body,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let details = (object["backup"] as? [String: Any])?["details"] as? [String: Any] else { return nil }
        return details["id"] as? String
    }
}
