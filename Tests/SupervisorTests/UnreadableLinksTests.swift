import Foundation
import Supervisor
import Testing
import ZohoModel
import ZohoSimulator

/// Links the daemon cannot read are an error for the org, every cycle, naming what was not
/// understood — never a silent success while backups stop coming home.
@Suite("Unreadable download links", .serialized)
struct UnreadableLinksTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        var name: String
        var rewrite: @Sendable ([String]) -> [String]
        /// A fragment of what the error must name.
        var named: String
        var testDescription: String { name }
    }

    static let shapes: [Shape] = [
        Shape(name: "a file name that is not Data_NNN.zip", rewrite: { $0.map { $0.replacingOccurrences(of: "Data_001.zip", with: "Contacts.csv") } },
              named: "Contacts.csv"),
        Shape(name: "a path of another shape", rewrite: { $0.map { $0.replacingOccurrences(of: "/v2/crm/", with: "/files/") } },
              named: "/files/"),
        Shape(name: "links naming two different jobs", rewrite: { links in
            links.enumerated().map { $0.offset == 0 ? $0.element.replacingOccurrences(of: "/backup/", with: "/backup/1") : $0.element }
        }, named: "jobs"),
    ]

    @Test("an error for the org each cycle (journal, failure count, status), and no success", arguments: shapes)
    func unreadable(_ shape: Shape) async throws {
        try await SupervisorHarness.run([.init(name: "acme", schedule: "unmanaged")]) { h in
            let zoho = h.zohos["acme"]!
            await zoho.rewriteLinks(shape.rewrite)
            try await h.startImmediateBackup("acme")
            h.clock.advance(by: .seconds(3))
            let supervisor = try h.supervisor()
            await h.cycle(supervisor, times: 3, step: .seconds(60))
            let state = try #require(await supervisor.worker("acme")?.state)
            #expect(state.lastError?.kind == "linksUnreadable", "\(String(describing: state.lastError))")
            #expect(state.lastError?.message.contains(shape.named) == true, "\(String(describing: state.lastError?.message))")
            #expect(state.consecutiveFailures == 3, "every cycle counts as failed")
            #expect(state.lastSuccess == nil)
            #expect(await supervisor.statusSummary().orgsFailing == ["acme"])
            #expect(h.archived("acme").isEmpty)

            // Readable again: archived, and the error is over.
            await zoho.rewriteLinks(nil)
            await h.cycle(supervisor, times: 2, step: .seconds(60))
            #expect(h.archived("acme").count == 1)
            #expect(await supervisor.worker("acme")?.state.lastError == nil)
        }
    }
}
