import ArgumentParser
import Foundation
import ZohoModel
import ZohoSimulator

extension ZohoCRMBackup {
    /// `simulator`: the built-in Zoho, standalone, for trying the daemon without a Zoho account.
    struct Simulator: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the built-in Zoho simulator on one loopback port and print the endpoints: snippet for a policy.",
            discussion: """
                Accounts server, backup API and download host share the port, told apart by path. \
                An immediate backup completes after --job-duration; scheduled ones run at their RRULE's \
                occurrences. Runs until interrupted (Ctrl-C).

                Each backup holds the org's data as it is then, in Zoho's layout (Data/<Module>_NNN.csv, \
                Attachments/<id>_<name>), changing a little from one backup to the next. Lines typed on \
                standard input act as an admin in Zoho's web UI; the next backup shows them:
                  mass-change MODULE delete|edit PERCENT   e.g. mass-change Contacts delete 30
                  add-field MODULE HEADER                  a new custom field, empty until records are edited
                  rename-column MODULE FROM TO             e.g. rename-column Leads Email "E-mail address"
                  rename-module MODULE LABEL               e.g. rename-module Accounts Clienti
                  backup                                   start a backup now, as from the web UI
                """)

        @Option(name: .long, help: "Port on 127.0.0.1 (0: any free port).")
        var port: Int = 0
        @Option(name: .long, help: ArgumentHelp("How long a simulated backup takes, e.g. 2s or 1m.", valueName: "duration"))
        var jobDuration: String = "2s"
        @Option(name: .long, help: ArgumentHelp("How long download links live after a backup completes (Zoho: about 7 days).", valueName: "duration"))
        var linkLifetime: String = "7d"
        @Option(name: .long, help: "Seed for the simulator's ids and contents.")
        var seed: UInt64 = 1
        @Option(name: .long, help: "Data parts of each backup.")
        var dataParts: Int = 2
        @Option(name: .long, help: "Attachment parts of each backup.")
        var attachmentParts: Int = 1
        @Option(name: .long, help: ArgumentHelp("Serve this file as a part instead of a generated one (for benchmarks).", valueName: "Data_001.zip=PATH"))
        var part: [String] = []
        @Option(name: .long, help: ArgumentHelp("Inject a fault into matching requests (tests): KIND@PATH[*TIMES], e.g. reset@Data_002.zip, status=429,TOO_MANY_REQUESTS,2@/backup, truncate=4096@Data_001.zip*2, flip=100@…, slow=50ms@…, stall@…, nocontent@…, ignore-range@….", valueName: "fault"))
        var fault: [String] = []
        @Option(name: .long, help: "The admin's language for CSV headers: en or it.")
        var locale: String = "en"
        @Flag(name: .long, help: "Print a line on stderr for every request answered: method, path, status, Range.")
        var logRequests = false

        func validate() throws {
            guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0–65535") }
            guard (1...99).contains(dataParts), (0...99).contains(attachmentParts) else {
                throw ValidationError("--data-parts must be 1–99 and --attachment-parts 0–99")
            }
            for spec in part where spec.split(separator: "=", maxSplits: 1).count != 2 || DownloadLink.parseFileName(String(spec.split(separator: "=")[0])) == nil {
                throw ValidationError("--part takes NAME=PATH with NAME like Data_001.zip, got '\(spec)'")
            }
            for spec in fault where Fault.parse(spec) == nil {
                throw ValidationError("--fault takes KIND@PATH[*TIMES] (see --help), got '\(spec)'")
            }
            guard ["en", "it"].contains(locale) else { throw ValidationError("--locale must be en or it, got '\(locale)'") }
            guard TimeSpan.parse(jobDuration) != nil else {
                throw ValidationError("--job-duration '\(jobDuration)' is not a duration such as 2s or 1m")
            }
            guard TimeSpan.parse(linkLifetime) != nil else {
                throw ValidationError("--link-lifetime '\(linkLifetime)' is not a duration such as 7d or 30s")
            }
        }

        func run() async throws {
            var config = SimulatorConfig()
            config.seed = seed
            config.jobDuration = TimeSpan.parse(jobDuration) ?? .seconds(2)
            config.linkLifetime = TimeSpan.parse(linkLifetime) ?? .seconds(7 * 86_400)
            config.content = BackupContent(folder: NSTemporaryDirectory() + "zoho-simulator-\(getpid())")
            config.content.locale = locale
            config.dataParts = dataParts
            config.attachmentParts = attachmentParts
            for spec in part {
                let pieces = spec.split(separator: "=", maxSplits: 1).map(String.init)
                config.partFiles[pieces[0]] = pieces[1]
            }
            let zoho = SimulatedZoho(config: config, clock: SystemWallClock())
            for spec in fault { if let f = Fault.parse(spec) { await zoho.inject(f) } }
            if logRequests {
                await zoho.observe { r in
                    Output.error("request \(r.method) \(r.path) \(r.status)\(r.range.map { " range=\($0)" } ?? "")")
                }
            }
            let credentials = #"{"client_id": "\#(config.clientID)", "client_secret": "\#(config.clientSecret)", "refresh_token": "\#(config.refreshToken)"}"#
            try await SimulatorServer.withRunning(zoho, port: port) { base in
                let hostPort = String(base.dropFirst("http://".count))
                Output.line("""
                    Zoho simulator listening on \(base) (Ctrl-C to stop)

                    Add to an org in the policy:
                        data_center: us
                        endpoints:
                          accounts: \(base)
                          api: \(base)
                          download_hosts: ["\(hostPort)"]

                    Credentials it accepts (write them to the org's credentials file, mode 0600):
                    \(credentials)
                    """)
                Output.flush()
                Self.readAdminActions(zoho)
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(3_600))
                }
            }
        }
    
        /// Reads admin actions from standard input on a thread of its own (a blocking read
        /// must not hold a thread of Swift's pool) and hands each to the simulator.
        static func readAdminActions(_ zoho: SimulatedZoho) {
            Thread {
                while let line = readLine() {
                    let text = line.trimmingCharacters(in: .whitespaces)
                    guard !text.isEmpty else { continue }
                    Task {
                        if text == "backup" {
                            let id = await zoho.startBackupFromUI()
                            Output.error(id.map { "backup \($0) started" } ?? "Zoho refuses a backup now (one is pending, or the month's quota is used)")
                            return
                        }
                        switch AdminAction.parse(text) {
                        case .success(let action):
                            await zoho.admin(action)
                            Output.error("the next backup shows: \(action)")
                        case .failure(let error):
                            Output.error(error.description)
                        }
                    }
                }
            }.start()
        }
    }
}
