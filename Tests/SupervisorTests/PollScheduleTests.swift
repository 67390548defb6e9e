import Supervisor
import Testing

@Suite("When an org is looked at next")
struct PollScheduleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var poll: Duration
        var busy = false
        var failures = 0
        var jitter = 0.0
        var expected: Duration
        var testDescription: String { rule }
    }

    static let m15 = Duration.seconds(900)

    @Test(arguments: [
        Case(rule: "idle: the poll interval", poll: m15, expected: m15),
        Case(rule: "busy (a job runs, links wait, a request is unconfirmed): at most a minute", poll: m15, busy: true, expected: .seconds(60)),
        Case(rule: "busy with a poll interval under a minute: the poll interval", poll: .seconds(20), busy: true, expected: .seconds(20)),
        Case(rule: "first error: 30 s", poll: m15, failures: 1, expected: .seconds(30)),
        Case(rule: "errors double the wait", poll: m15, failures: 3, expected: .seconds(120)),
        Case(rule: "errors back off to an hour at most", poll: m15, failures: 12, expected: .seconds(3600)),
        Case(rule: "a poll interval over an hour caps the backoff instead", poll: .seconds(6 * 3600), failures: 30, expected: .seconds(6 * 3600)),
        Case(rule: "errors win over busy", poll: m15, busy: true, failures: 2, expected: .seconds(60)),
        Case(rule: "jitter +1 adds 10 %", poll: m15, jitter: 1, expected: .seconds(990)),
        Case(rule: "jitter -1 removes 10 %", poll: m15, jitter: -1, expected: .seconds(810)),
        Case(rule: "jitter out of range is clamped", poll: m15, jitter: 7, expected: .seconds(990)),
    ])
    func delay(_ c: Case) {
        #expect(PollSchedule.delay(pollInterval: c.poll, busy: c.busy, consecutiveFailures: c.failures, jitter: c.jitter) == c.expected)
    }
}

@Suite("The global bound on downloads")
struct DownloadSlotsTests {
    actor Recorder {
        var order: [String] = []
        var running = 0
        var peak = 0
        func start(_ name: String) { order.append(name); running += 1; peak = max(peak, running) }
        func end() { running -= 1 }
    }

    @Test("never more than the limit at once; waiting urgent downloads go first")
    func boundAndUrgentFirst() async throws {
        let slots = DownloadSlots(limit: 2)
        let recorder = Recorder()
        let gate = AsyncStream<Void>.makeStream()
        // Two hold the slots until the gate opens; then three wait, the urgent one last to arrive.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for name in ["a", "b"] {
                group.addTask {
                    try await slots.withSlot(urgent: false) {
                        await recorder.start(name)
                        for await _ in gate.stream { break }
                        await recorder.end()
                    }
                }
            }
            while await slots.inUse < 2 { await Task.yield() }
            for (name, urgent) in [("c", false), ("d", false), ("e", true)] {
                group.addTask {
                    try await slots.withSlot(urgent: urgent) {
                        await recorder.start(name)
                        await recorder.end()
                    }
                }
                while await slots.waiting < ["c", "d", "e"].firstIndex(of: name)! + 1 { await Task.yield() }
            }
            gate.continuation.finish()
            try await group.waitForAll()
        }
        let order = await recorder.order
        #expect(Array(order.prefix(2)).sorted() == ["a", "b"])
        #expect(order[2] == "e", "the urgent download is let in first: \(order)")
        #expect(Array(order.suffix(2)) == ["c", "d"])
        #expect(await recorder.peak <= 2)
        #expect(await slots.inUse == 0)
    }

    @Test("a cancelled waiter leaves the queue and the slot is not lost")
    func cancelledWaiter() async throws {
        let slots = DownloadSlots(limit: 1)
        let gate = AsyncStream<Void>.makeStream()
        let holder = Task { try await slots.withSlot(urgent: false) { for await _ in gate.stream { break } } }
        while await slots.inUse < 1 { await Task.yield() }
        let waiter = Task { try await slots.withSlot(urgent: false) { 1 } }
        while await slots.waiting < 1 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        gate.continuation.finish()
        try await holder.value
        #expect(await slots.inUse == 0)
        #expect(try await slots.withSlot(urgent: false) { 2 } == 2)
    }
}
