import Foundation
import Notify
import Policy
import Reconcile
import Systemd
import ZohoModel

extension Supervisor {
    /// `daemon_started` / `daemon_stopping` into the outbox, for each distinct destination
    /// that takes it.
    public func postDaemonEvent(started: Bool) {
        alerts.post(Reconcile.daemonReport(started: started, orgs: policy.orgs.count), org: nil, orgs: policy.orgs,
                    messageID: (started ? MessageID.daemonStarted : .daemonStopping).rawValue, now: environment.clock.date)
    }

    /// At shutdown: one delivery pass, at most a few seconds (what is not delivered stays in
    /// the outbox for the next start).
    func flushAlerts() async {
        let sender = alerts.sender
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await sender.deliverDue() }
            group.addTask { try? await Task.sleep(for: .seconds(5)) }
            await group.next()
            group.cancelAll()
        }
    }

    /// One delivery pass now (tests; the daemon's sender runs on its own).
    @discardableResult
    public func deliverAlerts() async -> Date? { await alerts.sender.deliverDue() }

    /// Pings the `heartbeat:` check when it is due — from the loop that sends `WATCHDOG=1`,
    /// on the same condition (the supervisor is alive), never through the outbox: a ping that
    /// could not be sent is simply the next one. Never waits for the answer.
    func pingHeartbeat() {
        guard let heartbeat = policy.heartbeat, !heartbeatInFlight else { return }
        let now = environment.clock.date
        // A last ping in the future is a clock that went back: ping now.
        if let last = lastHeartbeat, last <= now, now.timeIntervalSince(last) < Double(heartbeat.every.components.seconds) { return }
        lastHeartbeat = now
        heartbeatInFlight = true
        let environment = environment
        Task {
            let problem: String?
            do {
                let url = try heartbeat.url.resolve(SecretLookup(environment.credentials))
                let transport = environment.alertTransport ?? HTTPAlertTransport(client: environment.http)
                let status = try await transport.send(AlertRequest(method: "POST", url: url, headers: [:], body: Data()), timeout: environment.alertTimeout)
                problem = (200..<300).contains(status) ? nil : "it answered HTTP \(status)"
            } catch let error as CredentialsError {
                problem = error.description
            } catch {
                problem = AlertSender.describe(error, timeout: environment.alertTimeout)
            }
            self.heartbeatDone(problem)
        }
    }

    /// No heartbeat ping is waiting for its answer. (Tests.)
    public var heartbeatIdle: Bool { !heartbeatInFlight }

    func heartbeatDone(_ problem: String?) {
        heartbeatInFlight = false
        guard problem != heartbeatError else { return }
        if let problem {
            environment.logger.warning("the heartbeat ping (heartbeat.url) failed: \(problem); the next one goes in \(policy.heartbeat?.every ?? .seconds(300)). Until one gets through, the check may report the daemon as down.")
        } else if heartbeatError != nil {
            environment.logger.notice("the heartbeat ping gets through again")
        }
        heartbeatError = problem
    }

    /// Each e-mail destination whose `sendmail` cannot work under the unit, in the journal
    /// with the fix (at start and after a reload).
    func logSendmailProblems() {
        for (org, destination, problem) in NotifyTest.sendmailProblems(policy) {
            environment.logger.error("[\(org)] alerts by e-mail (notify.\(destination)) cannot be sent: \(problem)")
        }
    }
}
