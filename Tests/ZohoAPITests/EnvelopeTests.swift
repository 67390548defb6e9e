import Foundation
import Testing
@testable import ZohoAPI
import ZohoModel

/// Zoho's documented answers (the seed pages' samples and the notes' error bodies, copied
/// into Fixtures/) decode into the client's types and errors.
@Suite("Zoho answers and errors")
struct EnvelopeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: fixtures.appendingPathComponent(name))
    }

    @Test func backupInfoSample() throws {
        let job = try ZohoEnvelope.decode(BackupWrapper<BackupJob>.self, from: Self.fixture("seed-backup-info-response-0.json"), org: "acme", operation: .backupInfo).backup
        #expect(job.id == "4876876000001593003")
        #expect(job.status == .scheduled)
        #expect(job.rrule == "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU")
        #expect(job.scheduledDate == ZohoDate.parse("2022-07-26T04:28:45Z"))
        #expect(job.startDate == ZohoDate.parse("2022-07-12T07:00:00Z"))
        #expect(job.requester?.zuid == "7534658674")
        let nulls = try ZohoEnvelope.decode(BackupWrapper<BackupJob>.self, from: Self.fixture("notes-backup-info-nulls.json"), org: "acme", operation: .backupInfo).backup
        #expect(nulls.rrule == nil && nulls.startDate == nil && nulls.scheduledDate == nil)
        #expect(nulls.status == .completed)
    }

    @Test func urlsSample() throws {
        let urls = try ZohoEnvelope.decode(URLsWrapper.self, from: Self.fixture("notes-urls-response.json"), org: "acme", operation: .downloadURLs).urls
        #expect(urls.dataLinks.count == 1)
        #expect(urls.attachmentLinks.first?.hasSuffix("/Attachments_001.zip") == true)
        #expect(urls.expiryDate == ZohoDate.parse("2022-06-30T12:01:03Z"))
        #expect(DownloadLink(urls.dataLinks[0])?.jobID == "4876876000001594004")
    }

    @Test func historySample() throws {
        let page = try ZohoEnvelope.decode(BackupHistoryPage.self, from: Self.fixture("seed-history-response-0.json"), org: "acme", operation: .history)
        #expect(page.history.count >= 4)
        #expect(page.history[0].action == "stopped")
        #expect(page.history[0].state == nil)
        #expect(page.history[2].state == "completed")
        #expect(page.history[2].action == nil)
        #expect(page.history[0].doneBy?.name == "Patricia Boyle")
        #expect(page.info.perPage > 0)
    }

    @Test(arguments: ["seed-schedule-response-1.json", "seed-cancel-response-0.json"])
    func successSamples(_ name: String) throws {
        let response = try #require(ZohoEnvelope.actionResponse(in: Self.fixture(name)))
        #expect(response.code == "SUCCESS")
        #expect(response.status == "success")
        #expect(response.detailID == "4876876000001593003")
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var fixture: String, status: Int, kind: ZohoError.Kind, code: String
        var testDescription: String { fixture }
    }

    @Test(arguments: [
        ErrorCase(fixture: "notes-error-already-scheduled.json", status: 400, kind: .alreadyScheduled, code: "BACKUP_ALREADY_SCHEDULED"),
        ErrorCase(fixture: "notes-error-invalid-data.json", status: 400, kind: .invalidData, code: "INVALID_DATA"),
        ErrorCase(fixture: "notes-error-already-cancelled.json", status: 400, kind: .alreadyCancelled, code: "ALREADY_CANCELLED"),
        ErrorCase(fixture: "notes-error-inprogress.json", status: 400, kind: .inProgress, code: "INPROGRESS"),
        ErrorCase(fixture: "notes-error-resource-not-found.json", status: 400, kind: .notFound, code: "RESOURCE_NOT_FOUND"),
        ErrorCase(fixture: "notes-error-invalid-token.json", status: 401, kind: .invalidToken, code: "INVALID_TOKEN"),
        ErrorCase(fixture: "notes-error-invalid-token.json", status: 400, kind: .invalidToken, code: "INVALID_TOKEN"),
        ErrorCase(fixture: "notes-error-no-permission.json", status: 403, kind: .noPermission, code: "NO_PERMISSION"),
        ErrorCase(fixture: "notes-error-scope-mismatch.json", status: 401, kind: .scopeMismatch, code: "OAUTH_SCOPE_MISMATCH"),
        ErrorCase(fixture: "notes-error-too-many-requests.json", status: 429, kind: .rateLimited, code: "TOO_MANY_REQUESTS"),
        ErrorCase(fixture: "notes-error-internal.json", status: 500, kind: .server, code: "INTERNAL_ERROR"),
        ErrorCase(fixture: "notes-oauth-invalid-code.json", status: 200, kind: .invalidRefreshToken, code: "invalid_code"),
        ErrorCase(fixture: "notes-oauth-invalid-client.json", status: 400, kind: .invalidClient, code: "invalid_client"),
    ])
    func documentedErrors(_ c: ErrorCase) throws {
        let error = ZohoEnvelope.error(status: c.status, body: try Self.fixture(c.fixture), org: "acme", operation: .schedule)
        #expect(error.kind == c.kind)
        #expect(error.code == c.code)
        #expect(error.httpStatus == c.status)
        #expect(error.description.hasPrefix("[acme] schedule: Zoho answered \(c.status) \(c.code)"))
        #expect(!error.hint.isEmpty)
    }

    @Test func nestedErrorKeepsItsDetails() throws {
        let scheduled = ZohoEnvelope.error(status: 400, body: try Self.fixture("notes-error-already-scheduled.json"), org: "acme", operation: .schedule)
        #expect(scheduled.details["id"]?.text == "4876876000001593003")
        #expect(scheduled.description.contains("(Backup is already scheduled; job 4876876000001593003)"))
        #expect(scheduled.hint.contains("--replace-schedule"))
        let invalid = ZohoEnvelope.error(status: 400, body: try Self.fixture("notes-error-invalid-data.json"), org: "acme", operation: .schedule)
        #expect(invalid.details["json_path"]?.text == "$.backup.rrule")
        #expect(invalid.description.contains("field rrule"))
        let permission = ZohoEnvelope.error(status: 403, body: try Self.fixture("notes-error-no-permission.json"), org: "acme", operation: .backupInfo)
        #expect(permission.hint.contains("Administrator"))
        let scope = ZohoEnvelope.error(status: 401, body: try Self.fixture("notes-error-scope-mismatch.json"), org: "acme", operation: .download)
        #expect(scope.hint.contains("ZohoCRM.bulk.backup.ALL,ZohoFiles.files.ALL"))
        #expect(!scope.isTransient)
    }

    @Test(arguments: [
        (502, "<html><body>Bad gateway</body></html>", ZohoError.Kind.server),
        (401, "Unauthorized", .invalidToken),
        (403, "", .noPermission),
        (404, "not found", .badRequest),
        (429, "", .rateLimited),
    ])
    func nonJSONBodiesFromTheDownloadHost(_ status: Int, _ body: String, _ kind: ZohoError.Kind) {
        let error = ZohoEnvelope.error(status: status, body: Data(body.utf8), org: "acme", operation: .download,
                                       jobID: "4876876000001594004", file: "Data_002.zip")
        #expect(error.kind == kind)
        #expect(error.code == nil)
        #expect(error.description.hasPrefix("[acme] download job 4876876000001594004 Data_002.zip: Zoho answered HTTP \(status)"))
        if !body.isEmpty { #expect(error.message?.contains("non-JSON answer") == true) }
    }

    @Test func transientKinds() {
        #expect(ZohoError.Kind.allCases.filter { ZohoError(kind: $0, org: "a", operation: .backupInfo).isTransient }
                == [.tokenLimit, .rateLimited, .server, .network])
    }

    @Test(arguments: ["notes-oauth-token.json", "notes-oauth-token-legacy.json"])
    func tokenAnswers(_ name: String) throws {
        let token = try JSONDecoder().decode(TokenResponse.self, from: Self.fixture(name))
        #expect(token.expiresIn == .seconds(3_600))
        #expect(token.apiDomain == "https://www.zohoapis.com")
        #expect(!"\(token)".contains(token.accessToken))
    }

    @Test func unreadableSuccessIsAMalformedResponse() {
        #expect(throws: ZohoError.self) {
            try ZohoEnvelope.decode(BackupWrapper<BackupJob>.self, from: Data(#"{"backup": {"status": "SCHEDULED"}}"#.utf8), org: "acme", operation: .backupInfo)
        }
        do {
            _ = try ZohoEnvelope.decode(URLsWrapper.self, from: Data(#"{"urls": {"expiry_date": "yesterday"}}"#.utf8), org: "acme", operation: .downloadURLs)
        } catch {
            #expect(error.kind == .malformedResponse)
            #expect(error.description.contains("urls.expiry_date"))
        }
    }

    @Test func datesRoundTripInTheUsersZone() throws {
        let zone = try #require(TimeZone(identifier: "Asia/Kolkata"))
        let job = BackupJob(id: "1", rrule: nil, status: .completed, startDate: ZohoDate.parse("2022-07-12T07:00:00Z"),
                            scheduledDate: nil, requester: Requester(id: "2", name: "P", zuid: "3"))
        let encoder = JSONEncoder()
        encoder.userInfo[.zohoTimeZone] = zone
        let text = String(decoding: try encoder.encode(job), as: UTF8.self)
        #expect(text.contains(#""start_date":"2022-07-12T12:30:00+05:30""#))
        #expect(text.contains(#""scheduled_date":null"#))
        #expect(try JSONDecoder().decode(BackupJob.self, from: Data(text.utf8)) == job)
    }
}

/// Every error code the five seed pages list, with the status they give it.
@Suite("Seed pages' error codes")
struct SeedErrorCodeTests {
    @Test(arguments: [
        ("INVALID_URL_PATTERN", 404, ZohoError.Kind.badRequest),
        ("OAUTH_SCOPE_MISMATCH", 401, .scopeMismatch),
        ("NO_PERMISSION", 403, .noPermission),
        ("INTERNAL_ERROR", 500, .server),
        ("INVALID_REQUEST_METHOD", 400, .badRequest),
        ("INVALID_DATA", 400, .invalidData),
        ("BACKUP_ALREADY_SCHEDULED", 400, .alreadyScheduled),
        ("LIMIT_EXCEEDED", 400, .limitExceeded),
        ("ALREADY_CANCELLED", 400, .alreadyCancelled),
        ("INPROGRESS", 400, .inProgress),
        ("RESOURCE_NOT_FOUND", 400, .notFound),
        ("URL_RULE_NOT_CONFIGURED", 401, .badRequest),
        ("INVALID_OAUTHSCOPE", 401, .scopeMismatch),
        ("FORBIDDEN", 403, .noPermission),
    ])
    func decodes(_ code: String, _ status: Int, _ kind: ZohoError.Kind) {
        for nested in [false, true] {
            let object = #"{"code": "\#(code)", "details": {}, "message": "m", "status": "error"}"#
            let body = nested ? #"{"backup": \#(object)}"# : object
            let error = ZohoEnvelope.error(status: status, body: Data(body.utf8), org: "acme", operation: .schedule)
            #expect(error.kind == kind, "\(code) \(nested ? "nested" : "top level")")
            #expect(error.code == code)
        }
    }

    @Test func methodNotAllowedFromTheDownloadHost() {
        #expect(ZohoEnvelope.error(status: 405, body: Data(), org: "acme", operation: .download).kind == .badRequest)
    }
}
