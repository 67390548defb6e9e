import Foundation

/// A bounded pool of threads of its own on which zip entries are inflated, outside Swift's
/// cooperative pool: however long a verification takes (a 1000:1 part, a slow disk), the
/// tasks of the concurrency runtime — the watchdog heartbeat, every other org's cycle — keep
/// their threads. Work beyond the lanes waits in a queue.
///
/// - Important: work submitted here may block (that is what the lanes are for); it must not
///   wait for other work submitted to the same lanes.
public final class VerifyLanes: Sendable {
    /// One per core, shared by every org of the process.
    public static let shared = VerifyLanes(count: ProcessInfo.processInfo.activeProcessorCount)

    /// Threads in the pool.
    public let count: Int
    private let queue: WorkQueue

    /// Starts `count` lane threads (at least one), named `zcb-verify-<n>`.
    public init(count: Int) {
        self.count = max(1, count)
        queue = WorkQueue()
        for index in 0..<self.count {
            let queue = queue
            let thread = Thread { queue.serve() }
            thread.name = "zcb-verify-\(index)"
            thread.start()
        }
    }

    deinit { queue.stop() }

    /// Runs `work` on a lane and returns its result.
    public func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.submit { continuation.resume(returning: work()) }
        }
    }

    /// The jobs waiting for a lane. Safe: `jobs` and `stopped` are read and written only while
    /// holding `condition`'s lock.
    final class WorkQueue: @unchecked Sendable {
        private let condition = NSCondition()
        private var jobs: [@Sendable () -> Void] = []
        private var head = 0
        private var stopped = false

        func submit(_ job: @escaping @Sendable () -> Void) {
            condition.lock()
            jobs.append(job)
            condition.signal()
            condition.unlock()
        }

        func stop() {
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
        }

        /// A lane's loop: runs jobs until stopped.
        func serve() {
            while true {
                condition.lock()
                while head == jobs.count, !stopped { condition.wait() }
                if head == jobs.count {
                    condition.unlock()
                    return
                }
                let job = jobs[head]
                head += 1
                if head == jobs.count {
                    jobs.removeAll(keepingCapacity: true)
                    head = 0
                }
                condition.unlock()
                job()
            }
        }
    }
}
