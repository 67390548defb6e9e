import Foundation
import Logging
import Notify
import Policy
import Testing
import TestSupport
import ZohoAPI
import ZohoModel

/// The outbox and its delivery against a loopback receiver that records every request.
@Suite("Alert delivery")
struct AlertDeliveryTests {
    /// An outbox in a fresh folder, a receiver, a clock and a sender over them.
    final class Rig: @unchecked Sendable {   // used by one test at a time; the fields are set once
        let folder = NSTemporaryDirectory() + "zcb-alerts-\(UUID().uuidString)"
        let receiver: AlertReceiver
        let clock = ManualWallClock(now: 1_800_000_000)
        let recorder = LogRecorder()
        let outbox: Outbox
        var destinations: [DestinationRef: NotifyDestination] = [:]

        init() throws {
            receiver = try AlertReceiver()
            outbox = Outbox(folder: folder + "/outbox")
            for kind in NotifyDestination.Kind.allCases {
                let events = Set(AlertEvent.allCases)
                destinations[DestinationRef(org: "acme", name: kind.rawValue)] = NotifyDestination(name: kind.rawValue, kind: kind,
                                                                                                  url: .inline(receiver.url("/\(kind.rawValue)")), events: events)
            }
        }

        deinit {
            receiver.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }

        func sender(timeout: Duration = .seconds(5)) -> AlertSender {
            AlertSender(outbox: outbox, destinations: destinations, secrets: SecretLookup(environment: [:], directory: folder), transport: HTTPAlertTransport(client: ZohoHTTPClient.shared),
                        clock: clock, logger: recorder.logger, timeout: timeout)
        }

        func message(_ event: AlertEvent, level: String = "error", org: String? = "acme") -> AlertMessage {
            AlertMessage(event: event, org: org, jobID: org == nil ? nil : "4876876000123", level: level,
                         message: "backup 4876876000123 of acme: \(event.rawValue) happened", messageID: "37a1bf4bce924affb487e1edb0d1acb6",
                         hint: "Do the thing.", time: clock.date)
        }

        /// Puts `message` for the destinations that take its event.
        func put(_ message: AlertMessage, only: NotifyDestination.Kind? = nil) throws {
            let refs = destinations.filter { $0.value.events.contains(message.event) && (only == nil || $0.value.kind == only) }.map(\.key)
            try outbox.put(message, to: refs.sorted { $0.name < $1.name })
        }

        var pending: Int { outbox.entries().entries.count }
        func requests(_ kind: NotifyDestination.Kind) -> [AlertReceiver.Request] { receiver.requests.filter { $0.path.hasPrefix("/\(kind.rawValue)") } }
    }

    @Test("every event reaches each destination kind in its shape: healthchecks' protocol, Slack's text, ntfy's headers, the JSON document (jsonschema)")
    func everyEvent() async throws {
        let rig = try Rig()
        let sender = rig.sender()
        // One at a time, as they happen (a healthchecks check is told only an org's newest state).
        for event in AlertEvent.allCases {
            try rig.put(rig.message(event, org: event.isDaemonEvent ? nil : "acme"))
            await sender.deliverDue()
        }
        #expect(rig.pending == 0)
        // healthchecks: start, success and fail on their paths, the reason in the body; the rest in its log.
        let pings = rig.requests(.healthchecks).map { "\($0.method) \($0.path)" }
        #expect(pings.sorted() == (["POST /healthchecks", "POST /healthchecks/fail", "POST /healthchecks/fail", "POST /healthchecks/start"]
                                   + Array(repeating: "POST /healthchecks/log", count: AlertEvent.allCases.count - 4)).sorted(), "\(pings)")
        #expect(rig.requests(.healthchecks).allSatisfy { $0.text.contains("happened") })
        // Slack: {"text": …} with the title, the sentence and the hint.
        let slack = rig.requests(.slack)
        #expect(slack.count == AlertEvent.allCases.count)
        for request in slack {
            let text = try #require(request.json?["text"] as? String)
            #expect(request.json?.count == 1 && text.hasPrefix("*zoho-crm-backup · ") && text.contains("happened") && text.contains("What to do: Do the thing."))
            #expect(request.headers["content-type"] == "application/json")
        }
        // ntfy: the text as the body; Title, Priority, Tags.
        let ntfy = rig.requests(.ntfy)
        #expect(ntfy.count == AlertEvent.allCases.count)
        for request in ntfy {
            let event = try #require(AlertEvent.allCases.first { request.text.contains(": \($0.rawValue) happened") })
            #expect(request.headers["title"] == "zoho-crm-backup - \(event.isDaemonEvent ? ProcessInfo.processInfo.hostName : "acme"): \(event.rawValue.replacingOccurrences(of: "_", with: " "))")
            #expect(request.headers["priority"] == "4" && request.headers["tags"]?.hasPrefix("x,\(event.rawValue)") == true)
        }
        // JSON: every event once, each document valid against the README's schema.
        let documents = rig.requests(.json)
        #expect(Set(documents.compactMap { $0.json?["event"] as? String }) == Set(AlertEvent.allCases.map(\.rawValue)))
        #expect(documents.allSatisfy { ($0.json?["message_id"] as? String) == "37a1bf4bce924affb487e1edb0d1acb6" && ($0.json?["folded"] as? Int) == 0 })
        try SchemaCheck.validate(documents.map(\.body))
    }

    @Test("a receiver down: retried with backoff, nothing lost across a restart of the sender; delivered once when it returns")
    func receiverDown() async throws {
        let rig = try Rig()
        rig.receiver.stop()
        try rig.put(rig.message(.backupFailed), only: .json)
        let next = await rig.sender().deliverDue()
        #expect(rig.pending == 1 && next == rig.clock.date.addingTimeInterval(30))
        let warnings = rig.recorder.all().filter { $0.level == .warning }
        #expect(warnings.count == 1 && warnings[0].message.contains("acme/json") && warnings[0].message.contains("refused"), "\(warnings.map(\.message))")
        #expect(!warnings[0].message.contains(rig.receiver.url("/json")) && !warnings[0].message.contains("127.0.0.1"), "a URL may carry a token: never logged")

        // A new sender over the same folder (the daemon restarted, or killed): the backoff is remembered.
        try rig.receiver.start()
        let restarted = rig.sender()
        await restarted.deliverDue()
        #expect(rig.receiver.requests.isEmpty, "within the backoff nothing is tried")
        rig.clock.advance(by: .seconds(31))
        await restarted.deliverDue()
        #expect(rig.receiver.requests.count == 1 && rig.pending == 0)
        #expect(rig.recorder.all().contains { $0.message.contains("alerts reach acme/json (json) again") })
    }

    @Test("HTTP 500 is retried; a redirect is refused and not followed; a slow receiver times out and is retried")
    func faults() async throws {
        let rig = try Rig()
        let sender = rig.sender(timeout: .seconds(1))
        rig.receiver.status = 500
        try rig.put(rig.message(.backupFailed), only: .slack)
        await sender.deliverDue()
        #expect(rig.pending == 1 && rig.receiver.requests.count == 1)
        #expect(rig.recorder.all().last?.message.contains("HTTP 500") == true)

        rig.receiver.status = 302
        rig.clock.advance(by: .seconds(31))
        await sender.deliverDue()
        #expect(rig.pending == 1 && rig.receiver.requests.map(\.path) == ["/slack", "/slack"], "the redirect is not followed")
        #expect(rig.recorder.all().last?.message.contains("redirect") == true)

        rig.receiver.status = 200
        rig.receiver.delay = 30   // far beyond the timeout, even on a loaded machine
        rig.clock.advance(by: .seconds(61))
        await sender.deliverDue()
        #expect(rig.pending == 1)
        #expect(rig.recorder.all().last?.message.contains("no answer within") == true, "\(rig.recorder.all().map(\.message))")

        rig.receiver.delay = 0
        rig.clock.advance(by: .seconds(121))
        await sender.deliverDue()
        #expect(rig.pending == 0 && rig.receiver.requests.count == 4)
    }

    @Test("1,000 failures in a burst: one message, then the rest held to the hour and folded into one with \"and N more\"")
    func burst() async throws {
        let rig = try Rig()
        let sender = rig.sender()
        try rig.put(rig.message(.backupFailed), only: .json)
        await sender.deliverDue()
        #expect(rig.receiver.requests.count == 1)
        for _ in 0..<1_000 { try rig.put(rig.message(.backupFailed), only: .json) }
        try rig.put(rig.message(.offsiteFailed), only: .json)
        let next = await sender.deliverDue()
        #expect(rig.receiver.requests.count == 2, "another event is not held by backup_failed's limit")
        #expect(rig.pending == 1_000 && next == rig.clock.date.addingTimeInterval(3600))
        rig.clock.advance(by: .seconds(3600))
        await sender.deliverDue()
        #expect(rig.pending == 0 && rig.receiver.requests.count == 3)
        let folded = try #require(rig.receiver.requests.last?.json)
        #expect(folded["folded"] as? Int == 999 && folded["event"] as? String == "backup_failed")
        try SchemaCheck.validate(rig.receiver.requests.map(\.body))
    }

    @Test("a message retried after a timeout carries the same id: a JSON receiver can drop the duplicate")
    func retriedKeepsItsID() async throws {
        let rig = try Rig()
        let sender = rig.sender(timeout: .seconds(1))
        rig.receiver.delay = 30   // it records the request, then answers too late
        try rig.put(rig.message(.linksLost, level: "critical"), only: .json)
        await sender.deliverDue()
        #expect(rig.pending == 1)
        rig.receiver.delay = 0
        rig.clock.advance(by: .seconds(31))
        await sender.deliverDue()
        #expect(rig.pending == 0)
        let ids = rig.requests(.json).compactMap { $0.json?["id"] as? String }
        #expect(ids.count == 2 && ids[0] == ids[1] && UUID(uuidString: ids[0]) != nil, "\(ids)")
    }

    @Test("folded messages say so in Slack's and ntfy's text; ntfy's priority and tags follow the level")
    func foldedTextAndLevels() async throws {
        let rig = try Rig()
        let sender = rig.sender()
        for kind in [NotifyDestination.Kind.slack, .ntfy] { try rig.put(rig.message(.offsiteFailed), only: kind) }
        await sender.deliverDue()
        for _ in 0..<3 { for kind in [NotifyDestination.Kind.slack, .ntfy] { try rig.put(rig.message(.offsiteFailed), only: kind) } }
        await sender.deliverDue()
        #expect(rig.pending == 6, "held by the hour's limit")
        rig.clock.advance(by: .seconds(3600))
        await sender.deliverDue()
        let slack = try #require(rig.requests(.slack).last?.json?["text"] as? String)
        #expect(slack.contains("(and 2 more like it, held back by the rate limit of one message an hour)"), "\(slack)")
        #expect(rig.requests(.ntfy).last?.text.contains("(and 2 more like it") == true)

        for (level, priority, emoji) in [("critical", "5", "rotating_light"), ("error", "4", "x"), ("warning", "3", "warning"),
                                         ("notice", "3", "white_check_mark"), ("info", "2", "white_check_mark")] {
            let request = AlertRequest.make(rig.message(.backupLate, level: level), folded: 0, kind: .ntfy, url: "https://ntfy.example.org/t")
            #expect(request.headers["Priority"] == priority && request.headers["Tags"] == "\(emoji),backup_late,acme", "\(level)")
        }
        let daemon = AlertRequest.make(rig.message(.daemonStopping, level: "notice", org: nil), folded: 0, kind: .ntfy, url: "https://ntfy.example.org/t")
        #expect(daemon.headers["Tags"] == "white_check_mark,daemon_stopping", "no org tag for the daemon's own events")
    }

    @Test("a healthchecks check gets only the newest state of an org (no rate limit): after an outage, fail, start, success go as the success alone")
    func healthchecksNewestState() async throws {
        let rig = try Rig()
        let sender = rig.sender()
        rig.receiver.stop()
        for event in [AlertEvent.backupFailed, .backupStarted, .backupArchived] {
            try rig.put(rig.message(event), only: .healthchecks)
            rig.clock.advance(by: .seconds(60))
        }
        await sender.deliverDue()
        #expect(rig.pending == 3)
        try rig.receiver.start()
        rig.clock.advance(by: .seconds(31))
        await sender.deliverDue()
        #expect(rig.receiver.requests.map(\.path) == ["/healthchecks"], "the success ping alone")
        #expect(rig.pending == 0)
        // A fail ten minutes later is not held by any hourly limit.
        rig.clock.advance(by: .seconds(600))
        try rig.put(rig.message(.backupFailed), only: .healthchecks)
        await sender.deliverDue()
        #expect(rig.receiver.requests.map(\.path) == ["/healthchecks", "/healthchecks/fail"])
    }

    @Test("a destination put right by a reload is tried at once, not after its backoff")
    func reloadClearsBackoff() async throws {
        let rig = try Rig()
        let ref = DestinationRef(org: "acme", name: "json")
        rig.destinations = [ref: NotifyDestination(name: "json", kind: .json, url: .inline("http://127.0.0.1:9/nothing"), events: Set(AlertEvent.allCases))]
        let sender = rig.sender()
        try rig.put(rig.message(.backupFailed), only: .json)
        let next = await sender.deliverDue()
        #expect(rig.pending == 1 && next != nil)
        await sender.setDestinations([ref: NotifyDestination(name: "json", kind: .json, url: .inline(rig.receiver.url("/json")), events: Set(AlertEvent.allCases))])
        await sender.deliverDue()
        #expect(rig.pending == 0 && rig.receiver.requests.count == 1)
    }
}
