import AsyncHTTPClient
import Foundation
import Notify
import Policy
import ZohoAPI
import ZohoModel

/// `notify test`: a test message to each destination (and a ping to the heartbeat check),
/// sent at once, not through the outbox, with what each answered.
public enum NotifyTest {
    /// What one destination answered.
    public struct Result: Sendable, Encodable {
        /// `acme/ops-slack`, or `heartbeat`.
        public var destination: String
        public var kind: String
        public var delivered: Bool
        /// `HTTP 200`, or what went wrong (never the URL: it may carry a token).
        public var answer: String
    }

    /// Sends to every destination of `orgs` (only `destination` when given), and to the
    /// heartbeat check when no org is chosen or `destination` is `heartbeat`.
    public static func run(policy: Policy, orgs: [OrgPolicy], destination: String?, includeHeartbeat: Bool, secrets: SecretLookup,
                           transport: any AlertTransport = HTTPAlertTransport(client: ZohoHTTPClient.shared),
                           timeout: Duration = .seconds(10)) async -> [Result] {
        var results: [Result] = []
        let now = Date()
        for org in orgs {
            for target in org.notify?.destinations ?? [] where destination == nil || destination == target.name {
                // A sample of what it receives (its first event), marked as a test.
                let event = AlertEvent.allCases.first { target.events.contains($0) } ?? .daemonStarted
                let message = AlertMessage(event: event, org: org.name, level: "notice",
                                           message: "This is a test message from `zoho-crm-backup notify test` on \(ProcessInfo.processInfo.hostName): alerts of org \(org.name) reach this destination (\(target.name)).",
                                           hint: "Nothing to do; a real alert says what happened and what to do.", time: now, test: true)
                if let email = target.email {
                    let problem = await Sendmail.send(EmailMessage.make(message, folded: 0, target: email), target: email, timeout: timeout * 3)
                    results.append(Result(destination: "\(org.name)/\(target.name)", kind: target.kind.rawValue, delivered: problem == nil,
                                          answer: problem ?? "\(email.sendmail) took it for \(email.to.joined(separator: ", "))"))
                    continue
                }
                results.append(await send(name: "\(org.name)/\(target.name)", kind: target.kind.rawValue, url: target.url, secrets: secrets, transport: transport, timeout: timeout) {
                    AlertRequest.make(message, folded: 0, kind: target.kind, url: $0)
                })
            }
        }
        if let heartbeat = policy.heartbeat, includeHeartbeat, destination == nil || destination == "heartbeat" {
            // To the check's log: a success ping would mark a dead daemon alive.
            results.append(await send(name: "heartbeat", kind: "healthchecks", url: heartbeat.url, secrets: secrets, transport: transport, timeout: timeout) {
                AlertRequest(method: "POST", url: ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + "/log", headers: [:],
                             body: Data("zoho-crm-backup notify test on \(ProcessInfo.processInfo.hostName)".utf8))
            })
        }
        return results
    }

    private static func send(name: String, kind: String, url: URLSource, secrets: SecretLookup, transport: any AlertTransport, timeout: Duration,
                             request: (String) -> AlertRequest) async -> Result {
        do {
            let status = try await transport.send(request(try url.resolve(secrets)), timeout: timeout)
            let ok = (200..<300).contains(status)
            let answer = (300..<400).contains(status) ? "HTTP \(status): a redirect, which alerts never follow; give the final URL" : "HTTP \(status)"
            return Result(destination: name, kind: kind, delivered: ok, answer: answer)
        } catch let error as CredentialsError {
            return Result(destination: name, kind: kind, delivered: false, answer: error.description)
        } catch {
            return Result(destination: name, kind: kind, delivered: false, answer: AlertSender.describe(error, timeout: timeout))
        }
    }

    /// Each e-mail destination whose `sendmail` cannot work under the hardened unit (missing,
    /// setuid or setgid, postfix's), with what to do: `check` reports them, the daemon logs
    /// them at start.
    public static func sendmailProblems(_ policy: Policy) -> [(org: String, destination: String, problem: String)] {
        var found: [(org: String, destination: String, problem: String)] = []
        for org in policy.orgs {
            for target in org.notify?.destinations ?? [] {
                if let email = target.email, let problem = Sendmail.problem(email.sendmail) { found.append((org.name, target.name, problem)) }
            }
        }
        return found
    }
}
