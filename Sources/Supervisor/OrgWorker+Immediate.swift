import BackupArchive
import Foundation
import Reconcile
import ZohoAPI
import ZohoModel

/// What `now` asks of the engine: an immediate backup, requested the way the daemon requests
/// anything (under the org's lock, its intent recorded first in `pending-post.json`), and
/// followed until it is archived.
extension OrgWorker {
    /// Observes Zoho under the org's lock and, if ``Reconcile/immediate(_:remote:state:replaceSchedule:)``
    /// says so, cancels the recurring schedule and POSTs the immediate backup.
    public func requestImmediate(replaceSchedule: Bool) async -> ImmediateRequest {
        guard let client = connect() else { return .notRequested(lastErrorText) }
        // A first look without the lock (the records are replaced whole, atomically): an earlier
        // request or a refusal is said at once, even while the daemon downloads for hours.
        if let answer = await answerWithoutLock(replaceSchedule: replaceSchedule, client: client) { return answer }
        guard let lock = await takeLock(for: "the immediate backup") else {
            return .notRequested("the daemon is busy with this org (\(store.lockPath)); try again in a moment. Nothing was requested.")
        }
        defer { lock.unlock() }
        guard reloadPending() else { return .notRequested("\(lastErrorText) Nothing was requested.") }
        let remote: RemoteObservation
        do { remote = try await observe(client) } catch {
            return .notRequested("\(error.description) Nothing was requested.")
        }
        let (decision, bookkeeping) = Reconcile.immediate(Desired(policy), remote: remote, archive: observeArchive(), state: state,
                                                          replaceSchedule: replaceSchedule)
        for action in bookkeeping { recordRequestsHoldingLock(action) }
        var request = ImmediateRequest(outcome: .requested, linksJobBefore: remote.linksJobID)
        switch decision {
        case .earlierRequest(let earlier, let job):
            return Self.earlier(earlier, job: job, org: policy.name)
        case .refuse(let why):
            return .notRequested("\(why) Nothing was requested.")
        case .request(let cancel):
            if let cancel {
                let errorBefore = state.lastError
                guard await cancelHoldingLock(jobID: cancel.jobID, rule: cancel.rrule, client: client) else {
                    // A cancel refused as "not now" records no error: say what happened instead of an older one.
                    let why = state.lastError != errorBefore ? lastErrorText
                        : "Zoho did not cancel the recurring schedule (job \(cancel.jobID)) now: an occurrence may have just started; try again once it completes."
                    return .notRequested("\(why) Nothing was requested.")
                }
                request.replacedRule = cancel.rrule
                request.lines.append("cancelled the recurring schedule \(cancel.rrule ?? "") (job \(cancel.jobID)).")
            }
            guard let id = await send(nil, jobBefore: remote.job?.id, linksJobBefore: remote.linksJobID, client: client) else {
                request.outcome = .failed
                request.lines.append(state.lastError?.kind == "ambiguousPost"
                                     ? "\(lastErrorText) Run `zoho-crm-backup status --org \(policy.name)` (or `now` again: it checks first) before trying again."
                                     : lastErrorText)
                return request
            }
            request.jobID = id
            request.lines.append("Zoho accepted the request: immediate backup \(id)."
                                 + (request.replacedRule == nil ? "" : " The schedule is made again once it completes."))
            return request
        }
    }

    /// What `now` can say without the org's lock — an earlier request, a refusal — or nil when
    /// it would send something or a record must change (then it looks again under the lock).
    func answerWithoutLock(replaceSchedule: Bool, client: ZohoClient) async -> ImmediateRequest? {
        guard reloadPending(), let remote = try? await observe(client) else { return nil }
        let (decision, bookkeeping) = Reconcile.immediate(Desired(policy), remote: remote, archive: observeArchive(), state: state,
                                                          replaceSchedule: replaceSchedule)
        guard bookkeeping.isEmpty else { return nil }
        switch decision {
        case .request: return nil
        case .refuse(let why): return .notRequested("\(why) Nothing was requested.")
        case .earlierRequest(let earlier, let job): return Self.earlier(earlier, job: job, org: policy.name)
        }
    }

    /// The report of an earlier immediate request that is not settled.
    static func earlier(_ earlier: OrgState.ImmediateRequest, job: BackupJob?, org: String) -> ImmediateRequest {
        let where_ = job.map { "Zoho shows it \($0.status)" } ?? "its links are awaited"
        return ImmediateRequest(outcome: .earlierRequest, jobID: earlier.jobID, linksJobBefore: earlier.linksJobBefore, lines: [
            "an immediate backup requested \(ZohoDate.format(earlier.sentAt, in: TimeZone(identifier: "UTC")!)) reached Zoho as job \(earlier.jobID) and is not archived yet (\(where_)). Nothing new was requested: one immediate backup at a time, so that a repeated or interrupted `now` never spends a second one.",
        ])
    }

    /// Follows a requested backup until it is archived: with `daemonRuns`, by watching the
    /// archive (the daemon downloads); otherwise by running this engine's cycles, exactly as
    /// the daemon would (download, verify, commit; the policy's schedule restored).
    public func followImmediate(_ request: ImmediateRequest, daemonRuns: Bool, poll: Duration, deadline: Date,
                                events: @escaping @Sendable (FollowEvent) -> Void) async -> FollowResult {
        var announced: String?
        while Date() < deadline, !Task.isCancelled {
            var remote: RemoteObservation?
            if !daemonRuns {
                let (failed, _) = await work()
                finishCycle(failed: failed)
                remote = state.lastObservation
                for case .schedule(let rule) in snapshot.lastActions where !failed { events(.scheduled(rule.normalized)) }
            } else if let client = connect() {
                remote = try? await observe(client)
            }
            if let id = remote?.linksJobID, id != request.linksJobBefore {
                if announced != id {
                    announced = id
                    events(.completedInZoho(jobID: id, daemonDownloads: daemonRuns))
                }
                if let done = folder.backup(jobID: id) { return .archived(BackupSummary(done)) }
                if state.lostJobs.contains(id) { return .failed("the links of backup \(id) expired before it was archived.") }
                if !daemonRuns, let error = state.lastError, error.jobID == id { return .failed("\(error.message)\nWhat to do: \(error.hint)") }
                if daemonRuns { return await watchArchive(jobID: id, deadline: deadline, events: events) }
            } else if let job = remote?.job, job.id == request.jobID, job.status == .failed {
                return .failed("Zoho reports that backup \(job.id) failed (Zoho's history may say why: zoho-crm-backup history --org \(policy.name)).")
            }
            try? await Task.sleep(for: poll)
        }
        return .gaveUp
    }

    /// The daemon downloads `jobID`: its progress from the archive, until it is committed.
    func watchArchive(jobID: String, deadline: Date, events: @Sendable (FollowEvent) -> Void) async -> FollowResult {
        while Date() < deadline, !Task.isCancelled {
            if let done = folder.backup(jobID: jobID) { return .archived(BackupSummary(done)) }
            events(.progress(DownloadProgress(folder.progress(jobID: jobID))))
            try? await Task.sleep(for: .seconds(1))
        }
        return .gaveUp
    }

    /// How far the downloads in `.partial/` have come (the first job's), for a progress line.
    public nonisolated func downloadProgress() -> DownloadProgress? {
        folder.partialJobs().sorted().first.map { DownloadProgress(folder.progress(jobID: $0)) }
    }

    var lastErrorText: String {
        guard let error = state.lastError else { return "the request failed" }
        return error.message
    }
}

/// What `now` learns of its request (``OrgWorker/requestImmediate(replaceSchedule:)``).
public struct ImmediateRequest: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// Zoho accepted the POST: `jobID` is the new backup.
        case requested
        /// An earlier request (a killed `now`'s, or one not yet archived) reached Zoho as `jobID`; nothing new was sent.
        case earlierRequest
        /// Nothing was sent (``lines`` says why).
        case notRequested
        /// The POST failed, or may have reached Zoho (recorded; checked before any other).
        case failed
    }

    public var outcome: Outcome
    public var jobID: String?
    /// The recurring rule cancelled for this backup (`--replace-schedule`).
    public var replacedRule: String?
    /// The job of the links Zoho listed before the request: newer links are this backup's.
    public var linksJobBefore: String?
    /// What was done or why not, a sentence each.
    public var lines: [String] = []

    static func notRequested(_ why: String) -> ImmediateRequest {
        ImmediateRequest(outcome: .notRequested, lines: [why])
    }
}

/// Progress reported while ``OrgWorker/followImmediate(_:daemonRuns:poll:deadline:events:)`` follows a backup.
public enum FollowEvent: Sendable {
    /// Zoho completed the backup and lists its links.
    case completedInZoho(jobID: String, daemonDownloads: Bool)
    case progress(DownloadProgress)
    /// With no daemon, the engine made the policy's schedule in Zoho (restored after `--replace-schedule`).
    case scheduled(String)
}

/// How following an immediate backup ended.
public enum FollowResult: Sendable, Equatable {
    case archived(BackupSummary)
    /// Zoho failed the backup, its links were lost, or the download failed: the sentence says which.
    case failed(String)
    /// The deadline passed first.
    case gaveUp
}

/// A download's progress in the archive's `.partial/`.
public struct DownloadProgress: Sendable, Equatable {
    /// Part files begun (the last one may be incomplete), their bytes, and the newest.
    public var files: Int
    public var bytes: Int64
    public var newest: String?

    init(_ progress: PartialProgress) {
        files = progress.files
        bytes = progress.bytes
        newest = progress.newest
    }
}

