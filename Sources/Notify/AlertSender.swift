import Foundation
import Logging
import Policy
import ZohoModel

/// Delivers the outbox: its own task, never in a cycle's way. Per destination: retries with
/// backoff (30 s doubling to an hour) and a timeout per request; a rate limit of one message
/// per org, event and destination an hour — what comes meanwhile waits and goes as one
/// message, the newest, with "and N more". What it has learnt (backoff, the last message
/// of each kind) is kept beside the outbox, so a restart neither floods nor forgets.
public actor AlertSender {
    let outbox: Outbox
    let secrets: SecretLookup
    let transport: any AlertTransport
    let clock: any WallClock
    let logger: Logger
    /// How long a destination may take to answer.
    let timeout: Duration
    var destinations: [DestinationRef: NotifyDestination]
    var state: DeliveryState
    /// When a destination's failure was last logged (at its start, change, and hourly).
    var logged: [String: (error: String, at: Date)] = [:]
    var poked = true

    /// One message per org, event and destination in this window.
    public static let window: TimeInterval = 3600

    public init(outbox: Outbox, destinations: [DestinationRef: NotifyDestination], secrets: SecretLookup, transport: any AlertTransport,
                clock: any WallClock, logger: Logger, timeout: Duration = .seconds(10)) {
        self.outbox = outbox
        self.destinations = destinations
        self.secrets = secrets
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.timeout = timeout
        self.state = outbox.loadState()
    }

    /// The destinations of the policy now in force (after a reload).
    public func setDestinations(_ destinations: [DestinationRef: NotifyDestination]) {
        self.destinations = destinations
        poked = true
    }

    /// Something was put in the outbox: look at once.
    public func poke() { poked = true }

    /// Delivers until cancelled: a pass when poked or when something waiting is due.
    public func run() async {
        var due = Date.distantPast
        while !Task.isCancelled {
            if poked || clock.date >= due {
                poked = false
                due = await deliverDue() ?? .distantFuture
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// One pass over the outbox. - Returns: when the next pass is due (a backoff ending, a
    /// rate window opening), nil when nothing waits.
    @discardableResult
    public func deliverDue() async -> Date? {
        let (loaded, unreadable) = outbox.entries()
        for path in unreadable { logger.error("the alert in \(path) could not be read and was set aside as \(path).bad; it is not sent") }
        var entries = loaded
        // Each destination's messages of one org and event go together (the rate limit).
        var groups: [RateKey: [Int]] = [:]
        var order: [RateKey] = []
        for (index, entry) in entries.enumerated() {
            for ref in entry.pending {
                let key = RateKey(ref: ref, org: entry.message.org, event: entry.message.event)
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(index)
            }
        }
        var next: Date?
        func later(_ date: Date) { next = min(next ?? date, date) }
        let now = clock.date
        for key in order {
            let members = groups[key] ?? []
            if let failing = state.failing[key.ref.description], failing.nextAttempt > now { later(failing.nextAttempt); continue }
            if let last = state.sent[key.description], now.timeIntervalSince(last) < Self.window {
                later(last.addingTimeInterval(Self.window))
                continue
            }
            guard let destination = destinations[key.ref], destination.events.contains(key.event) || members.contains(where: { entries[$0].message.test }) else {
                logger.notice("\(members.count) alert(s) for \(key.ref) dropped: the policy no longer has that destination, or it no longer takes \(key.event.rawValue)")
                for index in members { entries[index].pending.removeAll { $0 == key.ref } }
                save(entries, members)
                continue
            }
            let newest = entries[members.last!].message
            let delivered = await send(newest, folded: members.count - 1, to: destination, ref: key.ref, now: now)
            if delivered {
                state.sent[key.description] = now
                for index in members { entries[index].pending.removeAll { $0 == key.ref } }
                save(entries, members)
            } else if let failing = state.failing[key.ref.description] {
                later(failing.nextAttempt)
            }
        }
        outbox.saveState(state)
        return next
    }

    private func save(_ entries: [Outbox.Entry], _ indices: [Int]) {
        for index in indices {
            do { try outbox.update(entries[index]) } catch {
                logger.error("the outbox entry \(entries[index].file) could not be updated (\(error)); it may be sent again")
            }
        }
    }

    /// Sends one message; records success or failure. - Returns: whether it was delivered.
    private func send(_ message: AlertMessage, folded: Int, to destination: NotifyDestination, ref: DestinationRef, now: Date) async -> Bool {
        let problem: String
        do {
            let url = try destination.url.resolve(secrets)
            let status = try await transport.send(AlertRequest.make(message, folded: folded, kind: destination.kind, url: url), timeout: timeout)
            if (200..<300).contains(status) {
                if state.failing.removeValue(forKey: ref.description) != nil {
                    logger.notice("alerts reach \(ref) (\(destination.kind.rawValue)) again")
                }
                logged[ref.description] = nil
                return true
            }
            problem = (300..<400).contains(status)
                ? "it answered with a redirect (HTTP \(status)); alerts never follow redirects: give the final URL"
                : "it answered HTTP \(status)"
        } catch let failure as CredentialsError {
            problem = failure.description
        } catch {
            problem = Self.describe(error, timeout: timeout)
        }
        let failures = (state.failing[ref.description]?.failures ?? 0) + 1
        let delay = min(30 * pow(2, Double(failures - 1)), 3600)
        state.failing[ref.description] = DeliveryState.Failing(failures: failures, nextAttempt: now.addingTimeInterval(delay), error: problem)
        if let last = logged[ref.description], last.error == problem, now.timeIntervalSince(last.at) < 3600 { return false }
        logged[ref.description] = (problem, now)
        logger.warning("an alert (\(message.event.rawValue)\(message.org.map { " of \($0)" } ?? "")) could not be delivered to \(ref) (\(destination.kind.rawValue)): \(problem); it stays in the outbox and is retried in \(Int(delay)) s. `zoho-crm-backup notify test --destination \(ref.name)` tries the destination by hand.",
                       metadata: ["alert_destination": .string(ref.description)])
        return false
    }

    /// A transport error in words, without the URL (it may carry a token).
    public static func describe(_ error: any Error, timeout: Duration) -> String {
        let text = String(describing: error)
        if text.contains("deadlineExceeded") || text.contains("readTimeout") || text.contains("connectTimeout") {
            return "no answer within \(timeout)"
        }
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "the connection was refused" }
        return "the request failed (\(text.prefix(200)))"
    }
}

/// One org's messages of one event to one destination: the rate limit's unit.
struct RateKey: Hashable, CustomStringConvertible {
    var ref: DestinationRef
    var org: String?
    var event: AlertEvent

    var description: String { "\(ref)|\(org ?? "-")|\(event.rawValue)" }
}
