import AsyncHTTPClient
import BackupArchive
import Foundation
import Logging
import Reconcile
import Supervisor
import Testing
import TestSupport
import ZohoAPI
import ZohoModel
import ZohoSimulator

/// Each fault alone, then a seeded random mix: every backup is either archived and verified,
/// or reported once with org, job, what happened and what to do; nothing is lost silently
/// and no committed backup changes.
@Suite("Fault matrix", .serialized)
struct FaultMatrixTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var faults: [Fault]
        /// Links live this long (short: they expire while the fault lasts).
        var linkLifetime: Duration = .seconds(7 * 86_400)
        /// The expected end: archived, or reported lost with this error kind.
        var archived = true
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "connection reset mid-part", faults: [Fault(.reset, pathContains: "Data_002.zip", times: 2)]),
        Case(name: "truncated body", faults: [Fault(.truncate(bytes: 700), pathContains: "Data_001.zip")]),
        Case(name: "flipped byte (caught by the zip CRC, fetched again)", faults: [Fault(.flipByte(offset: 100), pathContains: "Data_001.zip")]),
        Case(name: "slow body", faults: [Fault(.slowBody(delay: .milliseconds(2)), pathContains: "Attachments_001.zip")]),
        Case(name: "stalled body (read timeout, then resume)", faults: [Fault(.stall, pathContains: "Data_002.zip")]),
        Case(name: "429 with Retry-After", faults: [Fault(.status(429, code: "TOO_MANY_REQUESTS", retryAfter: "30"), pathContains: "/backup/urls", times: 3)]),
        Case(name: "429 without Retry-After", faults: [Fault(.status(429, code: "TOO_MANY_REQUESTS", retryAfter: nil), pathContains: "Data_001.zip", times: 3)]),
        Case(name: "500 from the API", faults: [Fault(.status(500, code: "INTERNAL_ERROR", retryAfter: nil), method: "GET", pathContains: "/crm/bulk/v7/backup", times: 8)]),
        Case(name: "500 from the download host", faults: [Fault(.status(500, code: "INTERNAL_ERROR", retryAfter: nil), pathContains: "Attachments_001.zip", times: 6)]),
        Case(name: "links expired before the download", faults: [Fault(.status(500, code: "INTERNAL_ERROR", retryAfter: nil), pathContains: "Data_001.zip", times: 100_000)],
             linkLifetime: .seconds(2 * 3600), archived: false),
    ]

    /// A committed backup first, then a second one under `faults`; cycles every 10 minutes for 4 hours.
    static func run(_ c: Case, faults: FaultPoints = .none, between: (@Sendable (SupervisorHarness) async -> Void)? = nil) async throws {
        try await withQuickTimeouts { http in try await runCase(c, faults: faults, between: between, http: http) }
    }

    /// An HTTP client like the daemon's, but giving up on a silent connection after 2 s (the stall case).
    static func withQuickTimeouts(_ body: (HTTPClient) async throws -> Void) async throws {
        var config = ZohoHTTPClient.configuration
        config.timeout = .init(connect: .seconds(5), read: .seconds(2))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        do {
            try await body(http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    static func runCase(_ c: Case, faults: FaultPoints, between: (@Sendable (SupervisorHarness) async -> Void)?, http: HTTPClient) async throws {
        let lifetime = c.linkLifetime
        try await SupervisorHarness.run([.init(name: "acme", schedule: "unmanaged")], configure: { $0.linkLifetime = lifetime }) { h in
            let zoho = h.zohos["acme"]!
            let supervisor = try h.supervisor(faults: faults, http: http)
            try await h.startImmediateBackup("acme")
            // The baseline, fault-free (a few cycles: a loaded machine may time a request out).
            for _ in 0..<10 where h.archived("acme").isEmpty { await h.cycle(supervisor, step: .seconds(60)) }
            let baseline = try #require(h.archived("acme").first)
            let before = try Self.snapshot(baseline.folder)

            for fault in c.faults { await zoho.inject(fault) }
            try await h.startImmediateBackup("acme")
            h.clock.advance(by: .seconds(60))
            await between?(h)
            await h.cycle(supervisor, times: 24, step: .seconds(600))

            let completed = await zoho.completedJobIDs
            #expect(completed.count == 2)
            let second = completed[1]
            let state = try #require(await supervisor.worker("acme")?.state)
            let archived = h.archived("acme")
            if c.archived {
                #expect(archived.map(\.manifest.jobID).sorted() == completed.sorted(), "\(c.name): archived: \(state.lastError?.message ?? "")")
                for backup in archived {
                    #expect(await ArchiveFolder(path: h.archivePath("acme"), org: "acme", minFree: ByteSize(bytes: 0), logger: Logger(label: "t")).verify(backup).ok)
                }
                #expect(state.lostJobs.isEmpty && state.seenJobs.isEmpty)
            } else {
                #expect(archived.map(\.manifest.jobID) == [completed[0]])
                #expect(state.lostJobs == [second], "reported lost once")
                let error = try #require(state.lastError, "the loss stays the org's error")
                #expect(error.message.contains("[acme]") && error.message.contains(second) && error.message.contains("lost: links expired"))
                #expect(!error.hint.isEmpty)
            }
            #expect(try Self.snapshot(baseline.folder) == before, "the committed backup did not change")
        }
    }

    /// Names, sizes and SHA256SUMS of a committed backup.
    static func snapshot(_ folder: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let sizes = try names.map { "\($0):\(try FileManager.default.attributesOfItem(atPath: folder + "/" + $0)[.size] ?? 0)" }
        return sizes + [try String(contentsOfFile: folder + "/SHA256SUMS", encoding: .utf8)]
    }

    @Test(arguments: cases)
    func eachFaultAlone(_ c: Case) async throws {
        try await Self.run(c)
    }

    @Test("the access token expires in the middle of a backup's download")
    func tokenExpiresMidDownload() async throws {
        let zohoBox = ZohoBox()
        let faults = FaultPoints { point in
            guard point == .jobBetweenParts, let zoho = zohoBox.zoho else { return }
            let done = DispatchSemaphore(value: 0)
            Task { await zoho.expireAllTokens(); done.signal() }
            done.wait()
        }
        try await Self.run(Case(name: "expired token mid-download", faults: []), faults: faults) { h in zohoBox.zoho = h.zohos["acme"] }
    }

    @Test("a full disk: reported with what to do, then archived once space is back")
    func diskFull() async throws {
        let orgs = [SupervisorHarness.Org(name: "acme", schedule: "unmanaged", minFree: "1000TiB")]
        try await SupervisorHarness.run(orgs) { h in
            let supervisor = try h.supervisor()
            try await h.startImmediateBackup("acme")
            await h.cycle(supervisor, times: 3, step: .seconds(600))
            let state = try #require(await supervisor.worker("acme")?.state)
            let error = try #require(state.lastError)
            #expect(error.kind == "diskFull" && error.message.contains("[acme]") && error.jobID != nil && !error.hint.isEmpty)
            await supervisor.reload(try h.policy([.init(name: "acme", schedule: "unmanaged")]))
            await h.cycle(supervisor, times: 2, step: .seconds(600))
            #expect(h.archived("acme").count == 1)
        }
    }

    @Test("a seeded random mix of faults over six backups", arguments: [UInt64(1), 2, 3])
    func randomMix(seed: UInt64) async throws {
        var random = SplitMix(state: seed)
        let pool: [(String) -> Fault] = [
            { Fault(.reset, pathContains: $0) },
            { Fault(.truncate(bytes: 300), pathContains: $0) },
            { Fault(.flipByte(offset: 200), pathContains: $0) },
            { Fault(.stall, pathContains: $0) },
            { Fault(.status(429, code: "TOO_MANY_REQUESTS", retryAfter: "5"), pathContains: $0, times: 2) },
            { Fault(.status(500, code: "INTERNAL_ERROR", retryAfter: nil), pathContains: $0, times: 3) },
            { Fault(.status(503, code: "INTERNAL_ERROR", retryAfter: nil), pathContains: $0, times: 2) },
        ]
        let targets = ["Data_001.zip", "Data_002.zip", "Attachments_001.zip", "/backup/urls", "/crm/bulk/v7/backup"]
        var plan: [[Fault]] = []
        for _ in 0..<6 {
            plan.append((0..<Int.random(in: 1...3, using: &random)).map { _ in
                pool[Int.random(in: 0..<pool.count, using: &random)](targets[Int.random(in: 0..<targets.count, using: &random)])
            })
        }
        let faultPlan = plan
        try await Self.withQuickTimeouts { http in try await SupervisorHarness.run([.init(name: "acme", schedule: "unmanaged")], configure: { $0.monthlyQuota = 100 }) { h in
            let zoho = h.zohos["acme"]!
            let supervisor = try h.supervisor(http: http)
            var snapshots: [String: [String]] = [:]
            for faults in faultPlan {
                for fault in faults { await zoho.inject(fault) }
                try await h.startImmediateBackup("acme")
                h.clock.advance(by: .seconds(60))
                await h.cycle(supervisor, times: 18, step: .seconds(600))
                for backup in h.archived("acme") {
                    let now = try Self.snapshot(backup.folder)
                    if let before = snapshots[backup.name] { #expect(now == before, "seed \(seed): \(backup.name) changed") }
                    snapshots[backup.name] = now
                }
            }
            let completed = await zoho.completedJobIDs
            // Retention (keep.last 4 by default) prunes the oldest of six: they count as archived once.
            let archived = h.archived("acme").map(\.manifest.jobID) + PrunedJobs.load(archive: h.archivePath("acme")).pruned.map(\.jobID)
            let state = try #require(await supervisor.worker("acme")?.state)
            #expect(Set(archived).union(state.lostJobs) == Set(completed), "seed \(seed): every backup archived or reported")
            #expect(archived.count + state.lostJobs.count == completed.count, "seed \(seed): none twice")
            #expect(state.lostJobs.isEmpty, "seed \(seed): the links live a week; nothing should be lost here")
        } }
    }
}

/// Hands the simulator to a fault hook made before it exists. Safe: written once under `lock`.
final class ZohoBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: SimulatedZoho?
    var zoho: SimulatedZoho? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
