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
        // A destination put right (another URL, kind or sendmail) is tried at once, not after its backoff.
        for (ref, old) in self.destinations where destinations[ref].map({ $0 != old }) ?? true {
            state.failing[ref.description] = nil
            logged[ref.description] = nil
        }
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

    /// One pass over the outbox: each destination's due messages one after another, up to
    /// eight destinations at once (one slow service does not hold up the others).
    /// - Returns: when the next pass is due (a backoff ending, a rate window opening), nil
    ///   when nothing waits.
    @discardableResult
    public func deliverDue() async -> Date? {
        let (loaded, unreadable) = outbox.entries()
        for path in unreadable { logger.error("the alert in \(path) could not be read and was set aside as \(path).bad; it is not sent") }
        var entries = loaded
        // A destination's messages of one org and event go together (the rate limit); a
        // healthchecks check's go together per org whatever the event: only its newest state
        // counts (a held /fail sent after a later success would turn the check down).
        var groups: [RateKey: [Int]] = [:]
        var order: [RateKey] = []
        for (index, entry) in entries.enumerated() {
            for ref in entry.pending {
                let statePing = destinations[ref]?.kind == .healthchecks
                let key = RateKey(ref: ref, org: entry.message.org, event: statePing ? nil : entry.message.event)
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(index)
            }
        }
        var next: Date?
        func later(_ date: Date) { next = min(next ?? date, date) }
        let now = clock.date
        var plans: [DestinationRef: [Planned]] = [:]
        var refs: [DestinationRef] = []
        for key in order {
            let members = groups[key] ?? []
            // A time later than the longest wait is a clock that went back: it is over.
            if let failing = state.failing[key.ref.description], failing.nextAttempt > now, failing.nextAttempt.timeIntervalSince(now) <= 3_600 {
                later(failing.nextAttempt)
                continue
            }
            if key.event != nil, let last = state.sent[key.description], last <= now, now.timeIntervalSince(last) < Self.window {
                later(last.addingTimeInterval(Self.window))
                continue
            }
            let newest = entries[members.last!].message
            guard let destination = destinations[key.ref], destination.events.contains(newest.event) || newest.test else {
                logger.notice("\(members.count) alert(s) for \(key.ref) dropped: the policy no longer has that destination, or it no longer takes \(newest.event.rawValue)")
                for index in members { entries[index].pending.removeAll { $0 == key.ref } }
                save(entries, members)
                continue
            }
            if plans[key.ref] == nil { refs.append(key.ref) }
            plans[key.ref, default: []].append(Planned(key: key, members: members, message: newest, destination: destination))
        }
        let (secrets, transport, timeout) = (secrets, transport, timeout)
        for batch in stride(from: 0, to: refs.count, by: 8).map({ Array(refs[$0..<min($0 + 8, refs.count)]) }) {
            let results = await withTaskGroup(of: [(Planned, Attempt)].self) { group in
                for ref in batch {
                    let planned = plans[ref] ?? []
                    group.addTask {
                        var done: [(Planned, Attempt)] = []
                        for item in planned {
                            let attempt = await Self.attempt(item.message, folded: item.members.count - 1, to: item.destination,
                                                             secrets: secrets, transport: transport, timeout: timeout)
                            done.append((item, attempt))
                            guard case .delivered = attempt else { break }   // a failing destination waits for its backoff
                        }
                        return done
                    }
                }
                var all: [(Planned, Attempt)] = []
                for await done in group { all += done }
                return all
            }
            for (item, attempt) in results {
                switch attempt {
                case .delivered:
                    state.sent[item.key.description] = now
                    if state.failing.removeValue(forKey: item.key.ref.description) != nil {
                        logger.notice("alerts reach \(item.key.ref) (\(item.destination.kind.rawValue)) again")
                    }
                    logged[item.key.ref.description] = nil
                    for index in item.members { entries[index].pending.removeAll { $0 == item.key.ref } }
                    save(entries, item.members)
                case .failed(let problem):
                    later(failed(item, problem: problem, now: now))
                case .cancelled:
                    break   // a shutdown: nothing is recorded; the message stays for the next start
                }
            }
            if Task.isCancelled { break }
        }
        outbox.saveState(state)
        return next
    }

    /// One message for one destination, as planned by a pass.
    struct Planned: Sendable {
        var key: RateKey
        var members: [Int]
        var message: AlertMessage
        var destination: NotifyDestination
    }

    /// How one send went.
    enum Attempt: Sendable {
        case delivered
        case failed(String)
        case cancelled
    }

    private func save(_ entries: [Outbox.Entry], _ indices: [Int]) {
        for index in indices {
            do { try outbox.update(entries[index]) } catch {
                logger.error("the outbox entry \(entries[index].file) could not be updated (\(error)); it may be sent again")
            }
        }
    }

    /// Sends one message (off the actor: destinations go at once).
    static func attempt(_ message: AlertMessage, folded: Int, to destination: NotifyDestination, secrets: SecretLookup,
                        transport: any AlertTransport, timeout: Duration) async -> Attempt {
        if destination.kind == .email, let target = destination.email {
            // sendmail may relay to a smarthost before it answers: more time than an HTTP request.
            guard let problem = await Sendmail.send(EmailMessage.make(message, folded: folded, target: target), target: target, timeout: timeout * 3) else {
                return .delivered
            }
            return Task.isCancelled ? .cancelled : .failed(problem)
        }
        do {
            let url = try destination.url.resolve(secrets)
            let status = try await transport.send(AlertRequest.make(message, folded: folded, kind: destination.kind, url: url), timeout: timeout)
            if (200..<300).contains(status) { return .delivered }
            return .failed((300..<400).contains(status)
                ? "it answered with a redirect (HTTP \(status)); alerts never follow redirects: give the final URL"
                : "it answered HTTP \(status)")
        } catch let failure as CredentialsError {
            return .failed(failure.description)
        } catch {
            if Task.isCancelled || error is CancellationError { return .cancelled }
            return .failed(describe(error, timeout: timeout))
        }
    }

    /// Records a failed send: the backoff, and a warning at its start, change, and hourly.
    /// - Returns: when the destination is tried again.
    private func failed(_ item: Planned, problem: String, now: Date) -> Date {
        let ref = item.key.ref
        let failures = (state.failing[ref.description]?.failures ?? 0) + 1
        let delay = min(30 * pow(2, Double(failures - 1)), 3600)
        let retry = now.addingTimeInterval(delay)
        state.failing[ref.description] = DeliveryState.Failing(failures: failures, nextAttempt: retry, error: problem)
        if let last = logged[ref.description], last.error == problem, now.timeIntervalSince(last.at) < 3600 { return retry }
        logged[ref.description] = (problem, now)
        logger.warning("an alert (\(item.message.event.rawValue)\(item.message.org.map { " of \($0)" } ?? "")) could not be delivered to \(ref) (\(item.destination.kind.rawValue)): \(problem); it stays in the outbox and is retried in \(Int(delay)) s. `zoho-crm-backup notify test --destination \(ref.name)` tries the destination by hand.",
                       metadata: ["alert_destination": .string(ref.description)])
        return retry
    }

    /// A transport error in words, never its raw text (an error may name the host or the URL,
    /// which may carry a token).
    public static func describe(_ error: any Error, timeout: Duration) -> String {
        let text = String(describing: error)
        if text.contains("deadlineExceeded") || text.contains("readTimeout") || text.contains("connectTimeout") {
            return "no answer within \(timeout)"
        }
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "the connection was refused" }
        if text.contains("NXDOMAIN") || text.contains("resolve") || text.contains("DNS") { return "the host name could not be resolved" }
        if text.lowercased().contains("tls") || text.lowercased().contains("ssl") || text.contains("certificate") {
            return "the TLS connection failed (a certificate or protocol problem)"
        }
        return "the request failed (\(type(of: error)))"
    }
}

/// One org's messages of one event to one destination: the rate limit's unit (a healthchecks
/// check's: one org's messages whatever the event, `event` nil).
struct RateKey: Hashable, Sendable, CustomStringConvertible {
    var ref: DestinationRef
    var org: String?
    var event: AlertEvent?

    var description: String { "\(ref)|\(org ?? "-")|\(event?.rawValue ?? "*")" }
}
