import Foundation
import Testing
import ZohoAPI
import ZohoModel
import ZohoSimulator

/// The client against the simulator on loopback: every operation, its errors, tokens, retries.
@Suite("Client against the simulator")
struct ClientContractTests {
    static let weekly = try! RRule(parsing: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR")  // safe: a literal in the subset

    @Test func emptyOrgAnswers204Everywhere() async throws {
        try await Harness.run { h async throws in
            #expect(try await h.client.backupInfo() == nil)
            #expect(try await h.client.downloadURLs() == nil)
            #expect(try await h.client.history().isEmpty)
        }
    }

    @Test func scheduleShowCancel() async throws {
        try await Harness.run { h async throws in
            let id = try await h.client.schedule(Self.weekly)
            let job = try #require(try await h.client.backupInfo())
            #expect(job.id == id)
            #expect(job.status == .scheduled)
            #expect(try RRule(parsing: job.rrule ?? "") == Self.weekly)
            // Made on a Friday: the first run is next Friday at this time, and anchors the rule.
            #expect(job.scheduledDate?.timeIntervalSince1970 == Harness.start + 7 * 86_400)
            #expect(job.startDate == job.scheduledDate)

            #expect(await ZohoError.Kind.thrown { _ = try await h.client.schedule(nil) } == .alreadyScheduled)
            try await h.client.cancel(jobID: id)
            #expect(try await h.client.backupInfo()?.status == .stopped)
            #expect(await ZohoError.Kind.thrown { try await h.client.cancel(jobID: id) } == .alreadyCancelled)
            #expect(await ZohoError.Kind.thrown { try await h.client.cancel(jobID: "123") } == .notFound)
            let history = try await h.client.history()
            #expect(history.map(\.action) == ["stopped", "scheduled"])
        }
    }

    @Test func immediateBackupCompletesWithLinks() async throws {
        try await Harness.run { h async throws in
            let id = try await h.client.schedule(nil)
            let running = try #require(try await h.client.backupInfo())
            #expect(running.id == id && running.status == .inProgress && running.rrule == nil && running.scheduledDate == nil)
            #expect(await ZohoError.Kind.thrown { try await h.client.cancel(jobID: id) } == .inProgress)
            #expect(try await h.client.downloadURLs() == nil)

            h.clock.advance(by: .seconds(3))
            #expect(try await h.client.backupInfo()?.status == .completed)
            let urls = try #require(try await h.client.downloadURLs())
            #expect(urls.dataLinks.count == 2 && urls.attachmentLinks.count == 1)
            let links = urls.allLinks.compactMap(DownloadLink.init)
            #expect(links.count == 3)
            #expect(Set(links.map(\.jobID)).count == 1)
            #expect(links.first?.jobID != id, "links carry a job id of their own")
            #expect(urls.expiryDate?.timeIntervalSince1970 == Harness.start + 2 + 7 * 86_400, "7 days after completion")

            h.clock.advance(by: .seconds(7 * 86_400))
            #expect(try await h.client.downloadURLs() == nil, "204 after the links expire")
        }
    }

    @Test func simulatorRefusesWhatZohoRefuses() async throws {
        try await Harness.run({ $0.monthlyQuota = 1 }) { h async throws in
            let bad = try await h.raw("POST", "/crm/bulk/v7/backup", body: #"{"backup": {"rrule": "RRULE:FREQ=DAILY;COUNT=3"}}"#)
            let invalid = ZohoEnvelope.error(status: bad.status, body: bad.body, org: "acme", operation: .schedule)
            #expect(invalid.kind == .invalidData && invalid.details["json_path"]?.text == "$.backup.rrule")
            let unreadable = try await h.raw("POST", "/crm/bulk/v7/backup", body: "{not json")
            #expect(ZohoEnvelope.error(status: unreadable.status, body: unreadable.body, org: "a", operation: .schedule).code == "REQUEST_BODY_NOT_READABLE")

            _ = try await h.client.schedule(nil)
            h.clock.advance(by: .seconds(3))
            #expect(await ZohoError.Kind.thrown { _ = try await h.client.schedule(nil) } == .limitExceeded)
            #expect(try await h.raw("DELETE", "/crm/bulk/v8/backup").status == 400)
            #expect(try await h.raw("GET", "/crm/bulk/v7/nothing").status == 404)
        }
    }

    @Test func expiredTokenIsRefreshedOnceAndTheCallRetriedOnce() async throws {
        try await Harness.run { h async throws in
            _ = try await h.client.backupInfo()
            #expect(await h.zoho.tokensIssued == 1)
            await h.zoho.expireAllTokens()
            _ = try await h.client.backupInfo()
            #expect(await h.zoho.tokensIssued == 2)
            let statuses = await h.zoho.requestLog.filter { $0.path.hasSuffix("/backup") }.map(\.status)
            #expect(statuses == [204, 401, 204])
        }
    }

    @Test func tokenIsCachedAndSharedBetweenProcesses() async throws {
        try await Harness.run { h async throws in
            let first = try await h.tokens.accessToken()
            let second = try await h.secondProvider().accessToken()
            #expect(first == second)
            #expect(await h.zoho.tokensIssued == 1)
            let attributes = try FileManager.default.attributesOfItem(atPath: h.stateDir + "/token.json")
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            // Near expiry (less than 5 minutes left) a new one is fetched.
            h.clock.advance(by: .seconds(3_600 - 299))
            #expect(try await h.tokens.accessToken() != first)
            #expect(await h.zoho.tokensIssued == 2)
        }
    }

    @Test func neverMoreThanTenTokensInTenMinutes() async throws {
        try await Harness.run { h async throws in
            var token = try await h.tokens.accessToken()
            for _ in 0..<14 { token = try await h.tokens.replace(rejected: token) }
            #expect(await h.zoho.tokensIssued == 15)
            let refused = await h.zoho.requestLog.filter { $0.path == "/oauth/v2/token" && $0.status != 200 }
            #expect(refused.isEmpty, "Zoho never had to refuse a token request")
            #expect(h.clock.now - Harness.start >= 600, "the 11th request waited for the window")
        }
    }

    @Test func retryAfterIsHonouredOnTheInjectedClock() async throws {
        try await Harness.run { h async throws in
            await h.zoho.inject(Fault(.status(429, code: "TOO_MANY_REQUESTS", retryAfter: "7"), method: "GET", pathContains: "/backup"))
            let before = h.clock.now
            #expect(try await h.client.backupInfo() == nil)
            #expect(h.clock.now - before == 7)
            await h.zoho.inject(Fault(.status(429, code: "TOO_MANY_REQUESTS", retryAfter: nil), method: "GET", pathContains: "/backup", times: 2))
            let again = h.clock.now
            #expect(try await h.client.backupInfo() == nil)
            #expect(h.clock.now - again == 0.75 + 1.5, "exponential backoff with the injected jitter")
            await h.zoho.inject(Fault(.status(500, code: "INTERNAL_ERROR", retryAfter: nil), method: "GET", pathContains: "/urls", times: 9))
            #expect(await ZohoError.Kind.thrown { _ = try await h.client.downloadURLs() } == .server)
            #expect(await h.zoho.count("GET", "/urls") == 5, "gives up after five attempts")
        }
    }

    @Test(arguments: [Fault.Kind.reset, .status(500, code: "INTERNAL_ERROR", retryAfter: nil), .status(503, code: "INTERNAL_ERROR", retryAfter: nil)])
    func postIsNeverRetriedWhenItsEffectIsUnknown(_ kind: Fault.Kind) async throws {
        try await Harness.run { h async throws in
            await h.zoho.inject(Fault(kind, method: "POST", pathContains: "/backup"))
            #expect(await ZohoError.Kind.thrown { _ = try await h.client.schedule(Self.weekly) } == .ambiguousPost)
            #expect(await h.zoho.count("POST", "/backup") == 1)
        }
    }

    @Test func postIsRetriedAfterA429() async throws {
        try await Harness.run { h async throws in
            await h.zoho.inject(Fault(.status(429, code: "TOO_MANY_REQUESTS", retryAfter: "3"), method: "POST", pathContains: "/backup"))
            _ = try await h.client.schedule(Self.weekly)
            #expect(await h.zoho.count("POST", "/backup") == 2)
        }
    }

    @Test func historyReadsEveryPage() async throws {
        try await Harness.run { h async throws in
            for _ in 0..<101 {
                let id = try await h.client.schedule(Self.weekly)
                try await h.client.cancel(jobID: id)
            }
            let history = try await h.client.history()
            #expect(history.count == 202)
            #expect(await h.zoho.count("GET", "/history") == 2)
        }
    }

    @Test func badCredentialsAreClearErrors() async throws {
        try await Harness.run({ $0.refreshToken = "1000.other.token" }) { h async throws in
            let kind = await ZohoError.Kind.thrown { _ = try await h.client.backupInfo() }
            #expect(kind == .invalidRefreshToken)
        }
        try await Harness.run({ $0.clientSecret = "other" }) { h async throws in
            #expect(await ZohoError.Kind.thrown { _ = try await h.client.backupInfo() } == .invalidClient)
        }
    }
}
