import BackupArchive
import Foundation
import Logging
import Reconcile
import Supervisor
import Testing
import ZohoModel
import ZohoSimulator

/// The quota and loss rules, end to end against the simulator: POSTs that may or may not
/// have arrived, Zoho's refusals, links that expire first.
@Suite("Supervisor never spends quota by accident and never loses a backup silently", .serialized)
struct SupervisorSafetyTests {
    static let weekly = "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO"
    static let acme = [SupervisorHarness.Org(name: "acme", schedule: weekly)]

    @Test("a POST cut off before Zoho saw it is sent again only after an observation shows no schedule")
    func ambiguousPostThatDidNotArrive() async throws {
        try await SupervisorHarness.run(Self.acme) { h in
            let zoho = h.zohos["acme"]!
            await zoho.inject(Fault(.reset, method: "POST", pathContains: "/crm/bulk/v7/backup"))
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, step: .seconds(60))
            let pending = try #require(await supervisor.worker("acme")?.state.pendingPost)
            #expect(pending.rrule == Self.weekly)
            #expect(await supervisor.worker("acme")?.state.lastError?.kind == "ambiguousPost")
            #expect(await zoho.count("POST", "/backup") == 1)

            await h.cycle(supervisor, times: 3, step: .seconds(60))
            #expect(await zoho.count("POST", "/backup") == 2)
            let state = try #require(await supervisor.worker("acme")?.state)
            #expect(state.pendingPost == nil && state.lastError == nil)
            #expect(state.lastObservation?.job?.rrule == Self.weekly)
        }
    }

    @Test("a request `now` records after the cycle looked (at post.beforeLock) stops the daemon's POST; the next cycle resolves it first")
    func requestRecordedMeanwhile() async throws {
        try await SupervisorHarness.run(Self.acme) { h in
            let zoho = h.zohos["acme"]!
            let store = StateStore(stateDir: h.stateDir, org: "acme")
            let nowsRequest = OrgState.PendingPost(rrule: nil, sentAt: h.clock.date, jobIDBefore: nil)
            let written = OnceFlag()
            let faults = FaultPoints { point in
                // As if `now` took the lock and recorded its request between the look and the POST.
                if point == .postBeforeLock, written.first() { try store.writePending(nowsRequest) }
            }
            let supervisor = try h.supervisor(faults: faults)
            await h.cycle(supervisor, step: .seconds(60))
            #expect(await zoho.count("POST", "/backup") == 0, "the daemon did not POST over now's unconfirmed request")
            #expect(try store.readPending() == nowsRequest, "now's record is intact")
            await h.cycle(supervisor, times: 2, step: .seconds(60))
            #expect(try store.readPending() == nil, "resolved by a newer observation (Zoho shows nothing new)")
            #expect(await zoho.count("POST", "/backup") == 1, "then the schedule is made, once")
        }
    }

    @Test("no POST without a durable intent: when pending-post.json cannot be used, nothing is sent and the org says why")
    func noPostWithoutIntent() async throws {
        try await SupervisorHarness.run(Self.acme) { h in
            let zoho = h.zohos["acme"]!
            let store = StateStore(stateDir: h.stateDir, org: "acme")
            // A folder where the file must go: it can be neither read nor replaced (as root, modes do not stop a write).
            try FileManager.default.createDirectory(atPath: store.pendingPath + "/blocked", withIntermediateDirectories: true)
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, step: .seconds(60))
            #expect(await zoho.count("POST", "/backup") == 0, "nothing sent without the recorded intent")
            let error = try #require(await supervisor.worker("acme")?.state.lastError)
            #expect(error.kind == "stateFolder" && error.message.contains("no request is sent to Zoho"), "\(error)")
            try FileManager.default.removeItem(atPath: store.pendingPath)
            await h.cycle(supervisor, times: 2, step: .seconds(60))
            #expect(await zoho.count("POST", "/backup") == 1, "sent once the intent can be recorded")
        }
    }

    @Test("an archive another process writes into (another state_dir) is left alone: nothing in .partial, the org names the holder; released, the backup is archived")
    func archiveInUseByAnother() async throws {
        try await SupervisorHarness.run([.init(name: "acme", schedule: "unmanaged")]) { h in
            let other = ArchiveFolder(path: h.archivePath("acme"), org: "acme", minFree: ByteSize(bytes: 0), logger: Logger(label: "other"))
            let held = try #require(try await other.lock(holder: "pid 4242, state_dir /srv/other-state", timeout: .zero))
            let supervisor = try h.supervisor()
            try await h.startImmediateBackup("acme")
            await h.cycle(supervisor, times: 3, step: .seconds(60))
            let partial = (try? FileManager.default.contentsOfDirectory(atPath: h.archivePath("acme") + "/.partial")) ?? []
            #expect(partial.isEmpty, "nothing written while another holds the archive: \(partial)")
            #expect(h.archived("acme").isEmpty)
            let error = try #require(await supervisor.worker("acme")?.state.lastError)
            #expect(error.kind == "archiveInUse" && error.message.contains("pid 4242, state_dir /srv/other-state"), "\(error)")
            #expect(error.hint.contains("own archive.path"))
            held.unlock()
            await h.cycle(supervisor, times: 2, step: .seconds(60))
            #expect(h.archived("acme").count == 1)
            #expect(await supervisor.worker("acme")?.state.lastError == nil)
        }
    }

    @Test("a POST whose answer was lost but which Zoho carried out is never sent again")
    func ambiguousPostThatArrived() async throws {
        try await SupervisorHarness.run(Self.acme) { h in
            let zoho = h.zohos["acme"]!
            await zoho.inject(Fault(.truncate(bytes: 5), method: "POST", pathContains: "/crm/bulk/v7/backup"))
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, step: .seconds(60))
            #expect(await supervisor.worker("acme")?.state.pendingPost != nil)
            await h.cycle(supervisor, times: 3, step: .seconds(60))
            #expect(await zoho.count("POST", "/backup") == 1)
            let state = try #require(await supervisor.worker("acme")?.state)
            #expect(state.pendingPost == nil)
            #expect(state.lastObservation?.job?.rrule == Self.weekly)
        }
    }

    @Test("after BACKUP_ALREADY_SCHEDULED the daemon observes again before it POSTs again")
    func alreadyScheduledObservesFirst() async throws {
        try await SupervisorHarness.run(Self.acme) { h in
            let zoho = h.zohos["acme"]!
            await zoho.inject(Fault(.status(400, code: "BACKUP_ALREADY_SCHEDULED", retryAfter: nil), method: "POST", pathContains: "/crm/bulk/v7/backup"))
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, step: .seconds(60))
            #expect(await zoho.count("POST", "/backup") == 1)
            #expect(await supervisor.worker("acme")?.state.alreadyScheduledAt != nil)
            await h.cycle(supervisor, step: .seconds(60))
            #expect(await zoho.count("POST", "/backup") == 2)
            #expect(await supervisor.worker("acme")?.state.alreadyScheduledAt == nil)
        }
    }

    @Test("after LIMIT_EXCEEDED no POST until the next month in the org's zone, then exactly one")
    func limitExceededWaitsForNextMonth() async throws {
        try await SupervisorHarness.run(Self.acme) { h in
            let zoho = h.zohos["acme"]!
            await zoho.inject(Fault(.status(400, code: "LIMIT_EXCEEDED", retryAfter: nil), method: "POST", pathContains: "/crm/bulk/v7/backup"))
            let supervisor = try h.supervisor()
            // 2026-11-20 09:30 UTC: the block lasts until 2026-12-01 00:00 UTC (the org's zone).
            await h.cycle(supervisor, step: .seconds(3600))
            let until = try #require(await supervisor.worker("acme")?.state.quotaBlockedUntil)
            #expect(until == ISO8601DateFormatter().date(from: "2026-12-01T00:00:00Z"))
            #expect(await supervisor.worker("acme")?.state.lastError?.hint.contains("2026-12-01") == true)
            await h.cycle(supervisor, times: 10 * 24 - 2, step: .seconds(3600)) // to 2026-11-30 ~08:30
            #expect(await zoho.count("POST", "/backup") == 1)
            h.clock.advance(by: .seconds(16 * 3600))
            await h.cycle(supervisor, times: 2, step: .seconds(60))
            #expect(await zoho.count("POST", "/backup") == 2)
            let state = try #require(await supervisor.worker("acme")?.state)
            #expect(state.quotaBlockedUntil == nil)
            #expect(state.lastObservation?.job?.rrule == Self.weekly)
        }
    }

    @Test("links that expire before the download succeeds are reported lost once, with org, job and what to do")
    func expiredLinksAreReportedOnce() async throws {
        let orgs = [SupervisorHarness.Org(name: "acme", schedule: "unmanaged")]
        try await SupervisorHarness.run(orgs, configure: { $0.linkLifetime = .seconds(3 * 3600) }) { h in
            let zoho = h.zohos["acme"]!
            await zoho.inject(Fault(.status(500, code: "INTERNAL_ERROR", retryAfter: nil), pathContains: "Data_001.zip", times: 10_000))
            let supervisor = try h.supervisor()
            try await h.startImmediateBackup("acme")
            await h.cycle(supervisor, times: 8, step: .seconds(3600))
            let state = try #require(await supervisor.worker("acme")?.state)
            #expect(state.lostJobs.count == 1)
            #expect(state.seenJobs.isEmpty)
            let error = try #require(state.lastError)
            #expect(error.kind == "linksExpired")
            #expect(error.message.contains("[acme] lost: links expired — backup \(state.lostJobs[0])"))
            #expect(error.hint.contains("zoho-crm-backup now --org acme"))
            #expect(h.archived("acme").isEmpty)
            // Reported once: the job is not downloaded or reported again.
            await h.cycle(supervisor, times: 3, step: .seconds(3600))
            #expect(await supervisor.worker("acme")?.state.lostJobs.count == 1)
        }
    }

    @Test("errors back off (30 s, then doubling) and the first good cycle returns to the poll interval")
    func backoffCountsTheCycleJustDone() async throws {
        try await SupervisorHarness.run([.init(name: "acme", schedule: "unmanaged", revoked: true)]) { h in
            let supervisor = try h.supervisor()
            let worker = try #require(await supervisor.worker("acme"))
            #expect(await worker.cycle() == .seconds(30))
            #expect(await worker.cycle() == .seconds(60))
            #expect(await worker.cycle() == .seconds(120))
            let config = SimulatorConfig()
            let good = #"{"client_id": "\#(config.clientID)", "client_secret": "\#(config.clientSecret)", "refresh_token": "\#(config.refreshToken)"}"#
            try AtomicFile.write(Data(good.utf8), to: "\(h.folder)/credentials/acme.json", permissions: 0o600)
            #expect(await worker.cycle() == .seconds(3600), "the credentials file is read again; back to poll_interval at once")
            #expect(await worker.state.consecutiveFailures == 0)
        }
    }

    @Test("a full disk fails one org's download, keeps the other archiving, and resumes once space is back")
    func fullDiskFailsOneOrg() async throws {
        let orgs = [SupervisorHarness.Org(name: "acme", schedule: "unmanaged"),
                    SupervisorHarness.Org(name: "globex", schedule: "unmanaged", minFree: "1000TiB")]
        try await SupervisorHarness.run(orgs) { h in
            let supervisor = try h.supervisor()
            try await h.startImmediateBackup("acme")
            try await h.startImmediateBackup("globex")
            await h.cycle(supervisor, times: 3, step: .seconds(60))
            #expect(h.archived("acme").count == 1)
            #expect(h.archived("globex").isEmpty)
            let globex = try #require(await supervisor.worker("globex")?.state)
            #expect(globex.lastError?.kind == "diskFull")
            #expect(globex.seenJobs.count == 1, "the job stays known and is retried")

            await supervisor.reload(try h.policy([orgs[0], .init(name: "globex", schedule: "unmanaged")]))
            await h.cycle(supervisor, times: 2, step: .seconds(60))
            #expect(h.archived("globex").count == 1)
        }
    }
}

@Suite("Stopping mid-download")
struct StopMidDownloadTests {
    @Test("cancelled mid-part, the worker stops at a resumable point with its state saved; the next cycle completes the backup")
    func cancelMidDownload() async throws {
        let orgs = [SupervisorHarness.Org(name: "acme", schedule: "unmanaged")]
        try await SupervisorHarness.run(orgs) { h in
            let zoho = h.zohos["acme"]!
            await zoho.inject(Fault(.slowBody(delay: .milliseconds(50)), method: "GET", pathContains: "Data_002.zip"))
            // The second part's first bytes (part.midStream, reached once per part) say the slow part started.
            let (started, signal) = AsyncStream<Void>.makeStream()
            let count = Count()
            let supervisor = try h.supervisor(faults: FaultPoints { point in
                if point == .partMidStream, count.next() == 2 { signal.yield() }
            })
            try await h.startImmediateBackup("acme")
            h.clock.advance(by: .seconds(60))
            let worker = try #require(await supervisor.worker("acme"))
            let cycle = Task {
                let delay = await worker.cycle()
                signal.finish()   // a cycle that ended without reaching the slow part fails below, never hangs
                return delay
            }
            var reached = started.makeAsyncIterator()
            _ = await reached.next()
            let partial = h.archivePath("acme") + "/.partial"
            let jobFolder = (try? FileManager.default.contentsOfDirectory(atPath: partial).first { !$0.hasPrefix(".") }).flatMap { $0 }
                .map { "\(partial)/\($0)" }
            let folder = try #require(jobFolder, "the slow part started")
            cycle.cancel()
            _ = await cycle.value
            #expect(h.archived("acme").isEmpty)
            #expect(FileManager.default.fileExists(atPath: folder + "/Data_001.zip"), "the finished part stays")
            let saved = try #require(try StateStore(stateDir: h.stateDir, org: "acme").read())
            #expect(saved.seenJobs.count == 1, "the job and its completion time are saved")

            await h.cycle(supervisor, step: .seconds(60))
            let archived = h.archived("acme")
            #expect(archived.count == 1)
            #expect(archived.first?.manifest.completedAt == saved.seenJobs.values.first?.firstSeen)
            #expect(await zoho.count("GET", "/Data_001.zip") == 1, "the finished part is not fetched again")
        }
    }
}

/// Counts calls. Safe: `n` is read and written only while holding `lock`.
final class Count: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func next() -> Int { lock.withLock { n += 1; return n } }
}

/// True the first time only. Safe: `done` is read and written under `lock`.
final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func first() -> Bool {
        lock.withLock {
            defer { done = true }
            return !done
        }
    }
}
