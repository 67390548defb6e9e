import Foundation
import Testing
@testable import ZohoAPI

/// Numbers in Zoho's answers that overflow 64-bit arithmetic: refused, never a trap.
@Suite("Hostile numbers in answers")
struct HostileAnswerTests {
    @Test("DownloadProgress.accept: a 206 with Content-Range bytes 0-9223372036854775807/* is refused")
    func contentRangeToInt64Max() {
        let progress = DownloadProgress(offset: 0)
        #expect(!progress.accept(status: 206, headers: [("Content-Range", "bytes 0-9223372036854775807/*")]))
        #expect(progress.problem != nil)
    }

    @Test("RetryAfter.parse: a date in the year 99999999999999999 is ignored", arguments: [
        "Sun, 06 Nov 99999999999999999 08:49:37 GMT",
        "Sun, 06 Nov 9223372036854775807 08:49:37 GMT",
        "Sun, 99999999999999999 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 99999999999999999:49:37 GMT",
    ])
    func farRetryAfterDate(_ value: String) {
        #expect(RetryAfter.parse(value, now: 1_795_167_000) == nil)
    }

    @Test("RetryAfter.parse: more than a day away is ignored", arguments: ["86401", "9223372036854775807", "Fri, 01 Jan 2100 00:00:00 GMT"])
    func moreThanADay(_ value: String) {
        #expect(RetryAfter.parse(value, now: 1_795_167_000) == nil)
    }

    @Test("RetryAfter.parse: within a day it is kept")
    func withinADay() {
        #expect(RetryAfter.parse("120", now: 1_795_167_000) == .seconds(120))
        #expect(RetryAfter.parse("Fri, 20 Nov 2026 09:32:00 GMT", now: 1_795_167_000) == .seconds(120))
    }
}
