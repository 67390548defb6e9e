/// The global bound on concurrent downloads (`downloads.parallel`), across all orgs.
///
/// Waiters whose links expire within 24 hours are let in first; otherwise first come, first
/// served. A waiting task that is cancelled leaves the queue and throws `CancellationError`.
public actor DownloadSlots {
    public private(set) var limit: Int
    public private(set) var inUse = 0
    var waiters: [(id: Int, urgent: Bool, continuation: CheckedContinuation<Void, any Error>)] = []
    var nextID = 0

    public init(limit: Int) { self.limit = max(1, limit) }

    /// Runs `body` holding one slot.
    public func withSlot<T: Sendable>(urgent: Bool, _ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire(urgent: urgent)
        defer { release() }
        return try await body()
    }

    func acquire(urgent: Bool) async throws {
        try Task.checkCancellation()
        if inUse < limit {
            inUse += 1
            return
        }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Cancelled before it queued: the handler's removal already ran and found nothing.
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, urgent, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    func release() {
        let next = waiters.firstIndex(where: \.urgent) ?? waiters.indices.first
        if let next {
            // The slot passes straight to the next waiter.
            waiters.remove(at: next).continuation.resume()
        } else {
            inUse -= 1
        }
    }
}

extension DownloadSlots {
    /// Changes the bound (a reload); waiters are let in if it grew.
    public func setLimit(_ newLimit: Int) {
        limit = max(1, newLimit)
        while inUse < limit, !waiters.isEmpty {
            inUse += 1
            let next = waiters.firstIndex(where: \.urgent) ?? 0
            waiters.remove(at: next).continuation.resume()
        }
    }
}

extension DownloadSlots {
    /// Downloads waiting for a slot.
    public var waiting: Int { waiters.count }
}
