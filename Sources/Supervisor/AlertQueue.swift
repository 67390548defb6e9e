import Foundation
import Logging
import Notify
import Policy
import Reconcile
import ZohoModel

/// Where the daemon's alerts go: the outbox (written before the caller goes on) and the
/// sender that delivers it, for the destinations of the policy in force.
public struct AlertQueue: Sendable {
    public let outbox: Outbox
    public let sender: AlertSender
    let logger: Logger

    /// An outbox in `<state_dir>/outbox` and a sender through the daemon's HTTP client.
    init(policy: Policy, environment: SupervisorEnvironment) {
        outbox = Outbox(folder: policy.stateDir + "/outbox")
        logger = environment.logger
        sender = AlertSender(outbox: outbox, destinations: Self.destinations(policy), secrets: SecretLookup(environment.credentials),
                             transport: environment.alertTransport ?? HTTPAlertTransport(client: environment.http),
                             clock: environment.clock, logger: environment.logger, timeout: environment.alertTimeout)
    }

    /// Every destination of `policy`, by org and name.
    static func destinations(_ policy: Policy) -> [DestinationRef: NotifyDestination] {
        var all: [DestinationRef: NotifyDestination] = [:]
        for org in policy.orgs {
            for destination in org.notify?.destinations ?? [] { all[DestinationRef(org: org.name, name: destination.name)] = destination }
        }
        return all
    }

    /// Where an alert of `event` goes: the org's destinations that take it; for the daemon's
    /// own events (`org` nil) each distinct destination of any org that takes it, once.
    static func targets(of event: AlertEvent, org: OrgPolicy?, orgs: [OrgPolicy]) -> [DestinationRef] {
        if let org {
            return (org.notify?.destinations ?? []).filter { $0.events.contains(event) }.map { DestinationRef(org: org.name, name: $0.name) }
        }
        var seen: Set<String> = []
        var refs: [DestinationRef] = []
        for org in orgs {
            for destination in org.notify?.destinations ?? [] where destination.events.contains(event) {
                if seen.insert("\(destination.kind.rawValue) \(destination.url)").inserted { refs.append(DestinationRef(org: org.name, name: destination.name)) }
            }
        }
        return refs
    }

    /// Puts `report` in the outbox for its destinations (nothing when it is no alert or none
    /// takes it) and nudges the sender. Never waits for a destination.
    func post(_ report: Report, org: OrgPolicy?, orgs: [OrgPolicy], messageID: String?, now: Date) {
        guard let event = report.alert else { return }
        post(report, to: Self.targets(of: event, org: org, orgs: orgs), org: org, messageID: messageID, now: now)
    }

    /// Puts `report` in the outbox for `refs`.
    func post(_ report: Report, to refs: [DestinationRef], org: OrgPolicy?, messageID: String?, now: Date) {
        guard let event = report.alert, !refs.isEmpty else { return }
        // The journal's "[acme] " prefix: the alert names the org in its title already.
        let text = org.map { report.message.hasPrefix("[\($0.name)] ") ? String(report.message.dropFirst($0.name.count + 3)) : report.message } ?? report.message
        let message = AlertMessage(event: event, org: org?.name, jobID: report.jobID, level: Self.level(report.level), message: text,
                                   messageID: messageID, hint: report.hint, time: now)
        do {
            try outbox.put(message, to: refs)
        } catch {
            logger.error("the alert \(event.rawValue)\(org.map { " of \($0.name)" } ?? "") could not be written to \(outbox.folder) (\(error)); it is not sent. Check the state folder's disk.")
            return
        }
        let sender = sender
        Task { await sender.poke() }
    }

    static func level(_ level: Report.Level) -> String {
        switch level {
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }
}
