import BackupArchive
import Foundation
import Supervisor
import Testing
import TestSupport
import ZohoModel
import ZohoSimulator

/// One bad answer must never take the daemon down: numbers that overflow 64 bits in a
/// download's head or in a part's zip structure, and zip bombs, are an error for that org
/// and job each cycle — the daemon goes on, and nothing verified is lost.
@Suite("Hostile answers never take the daemon down", .serialized)
struct HostileAnswersTests {
    static let acme = [SupervisorHarness.Org(name: "acme", schedule: "unmanaged")]

    struct HeadCase: Sendable, CustomTestStringConvertible {
        var name: String
        var fault: Fault.Kind
        var testDescription: String { name }
    }

    static let heads: [HeadCase] = [
        HeadCase(name: "Content-Length: 9223372036854775807 (plus min_free)",
                 fault: .rewriteHead(status: nil, header: "Content-Length", value: "9223372036854775807")),
        HeadCase(name: "206 with Content-Range: bytes 0-9223372036854775807/*",
                 fault: .rewriteHead(status: 206, header: "Content-Range", value: "bytes 0-9223372036854775807/*")),
    ]

    @Test("a download's head with a number past 2^63: an error each cycle, then archived once Zoho answers sanely", arguments: heads)
    func hostileHead(_ c: HeadCase) async throws {
        try await SupervisorHarness.run(Self.acme) { h in
            let zoho = h.zohos["acme"]!
            await zoho.inject(Fault(c.fault, pathContains: "Data_001.zip", times: 1_000))
            try await h.startImmediateBackup("acme")
            h.clock.advance(by: .seconds(3))
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, times: 3, step: .seconds(600))
            let state = try #require(await supervisor.worker("acme")?.state)
            #expect(state.lastError != nil && state.lastError?.jobID != nil, "an error for the org and job: \(String(describing: state.lastError))")
            #expect(state.consecutiveFailures == 3, "each cycle counts")
            #expect(h.archived("acme").isEmpty)
            await zoho.clearFaults()
            await h.cycle(supervisor, times: 2, step: .seconds(600))
            #expect(h.archived("acme").count == 1)
        }
    }

    @Test("Retry-After in the year 99999999999999999: ignored (the usual backoff), and the backup is archived")
    func farRetryAfter() async throws {
        try await SupervisorHarness.run(Self.acme) { h in
            let zoho = h.zohos["acme"]!
            await zoho.inject(Fault(.status(429, code: "TOO_MANY_REQUESTS", retryAfter: "Sun, 06 Nov 99999999999999999 08:49:37 GMT"),
                                    pathContains: "/backup/urls", times: 2))
            try await h.startImmediateBackup("acme")
            h.clock.advance(by: .seconds(3))
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, times: 2, step: .seconds(600))
            #expect(h.archived("acme").count == 1)
        }
    }

    @Test("a part with a hostile zip structure: refused each cycle while the links live, then kept in the quarantine",
          arguments: HostileZip.shapes.map(\.name))
    func hostileZip(_ name: String) async throws {
        let zip = try #require(HostileZip.shapes.first { $0.name == name }?.zip)
        let path = try zip.write("part")
        defer { unlink(path) }
        try await SupervisorHarness.run(Self.acme, configure: { $0.partFiles = ["Data_001.zip": path] }) { h in
            try await h.startImmediateBackup("acme")
            h.clock.advance(by: .seconds(3))
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, times: 3, step: .seconds(600))
            let state = try #require(await supervisor.worker("acme")?.state)
            #expect(state.lastError?.kind == "corruptPart", "\(String(describing: state.lastError))")
            #expect(state.consecutiveFailures == 3)
            #expect(h.archived("acme").isEmpty)

            h.clock.advance(by: .seconds(8 * 86_400))
            await h.cycle(supervisor, step: .seconds(60))
            let folder = ArchiveFolder(path: h.archivePath("acme"), org: "acme", minFree: ByteSize(bytes: 0), logger: .init(label: "test"))
            let kept = folder.quarantined()
            #expect(kept.first?.files.contains("Data_001.zip") == true, "Zoho's bytes are kept: \(kept)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(kept.first?.folder ?? "")/Data_001.zip")) == zip.bytes)
        }
    }
}
