import Testing
import ZohoAPI

@Suite("Retries and the token limit")
struct RetryPolicyTests {
    let policy = RetryPolicy(base: .seconds(1), cap: .seconds(300), maxAttempts: 5)

    @Test(arguments: [
        (RetryPolicy.Outcome.status(429, retryAfter: .seconds(30)), false, 1, RetryPolicy.Decision.retry(after: .seconds(30))),
        (.status(429, retryAfter: .seconds(30)), true, 1, .retry(after: .seconds(30))),
        (.status(429, retryAfter: .seconds(9_999)), false, 1, .retry(after: .seconds(300))),
        (.status(429, retryAfter: nil), false, 1, .retry(after: .milliseconds(750))),
        (.status(429, retryAfter: nil), false, 3, .retry(after: .seconds(3))),
        (.status(500, retryAfter: nil), false, 2, .retry(after: .milliseconds(1_500))),
        (.status(503, retryAfter: nil), true, 1, .ambiguous),
        (.status(500, retryAfter: nil), false, 5, .fail),
        (.status(400, retryAfter: nil), false, 1, .fail),
        (.status(401, retryAfter: nil), false, 1, .fail),
        (.notSent, true, 1, .retry(after: .milliseconds(750))),
        (.lostAfterSending, true, 1, .ambiguous),
        (.lostAfterSending, false, 1, .retry(after: .milliseconds(750))),
        (.lostAfterSending, false, 5, .fail),
    ])
    func decides(_ outcome: RetryPolicy.Outcome, _ isPost: Bool, _ attempt: Int, _ expected: RetryPolicy.Decision) {
        #expect(policy.decide(outcome, attempt: attempt, isPost: isPost, jitter: 0.5) == expected)
    }

    @Test func backoffDoublesWithJitterAndCaps() {
        #expect(policy.backoff(attempt: 1, jitter: 0) == .milliseconds(500))
        #expect(policy.backoff(attempt: 1, jitter: 1) == .seconds(1))
        #expect(policy.backoff(attempt: 4, jitter: 1) == .seconds(8))
        #expect(policy.backoff(attempt: 20, jitter: 1) == .seconds(300))
    }

    @Test func retryAfterHeader() {
        #expect(RetryAfter.parse("120", now: 0) == .seconds(120))
        #expect(RetryAfter.parse(nil, now: 0) == nil)
        #expect(RetryAfter.parse("soon", now: 0) == nil)
        // 1994-11-06T08:49:37Z is 784111777.
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_700) == .seconds(77))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_200_000) == .zero)
    }

    @Test func tenTokensPerTenMinutes() {
        var limiter = TokenRequestLimiter()
        for i in 0..<10 {
            #expect(limiter.earliestRequest(now: Double(i * 10)) == Double(i * 10))
            limiter.record(now: Double(i * 10))
        }
        // The 11th must wait until the first leaves the window.
        #expect(limiter.earliestRequest(now: 100) == 600)
        #expect(limiter.earliestRequest(now: 600.5) == 600.5)
        limiter.record(now: 601)
        #expect(limiter.recent.count == 10)
        #expect(limiter.earliestRequest(now: 602) == 610)
    }
}
