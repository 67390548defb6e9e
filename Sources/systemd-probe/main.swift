// systemd-probe: a tiny program for the Systemd target's tests. It calls the real Systemd API
// as the daemon does — sd_notify and the journal LogHandler through libsystemd — so tests can
// check what systemd and journald receive without starting the daemon. Not installed.
//
// Usage: systemd-probe STEP…   where STEP is one of
//   ready:TEXT  status:TEXT  watchdog  reloading  stopping
//   interval                 print the watchdog interval in microseconds, or "off"
//   log-events               one entry per MessageID, with org, job and file metadata
//   log-credentials-error:DIR  make a too-open credentials file holding a secret in DIR, try
//                            to load it, and log the error (the secret must not be logged)
//   log-leak                 log $ZCB_LEAK as an error message (for the secret scrubber; from the
//                            environment, as journald records every process's command line)
import Foundation
import Logging
import Policy
import Systemd

let destination = LogDestination.detect()
LoggingSystem.bootstrap { label in destination.makeHandler(label: label, level: .debug) }
var logger = Logger(label: "zoho-crm-backup.probe")
// Tests tag each run so they can find its entries among others' (field ZOHO_MARKER).
if let marker = ProcessInfo.processInfo.environment["ZCB_MARKER"] { logger[metadataKey: "marker"] = "\(marker)" }
let notifier = Notifier()

for step in CommandLine.arguments.dropFirst() {
    let (name, value) = step.firstIndex(of: ":").map { (String(step[..<$0]), String(step[step.index(after: $0)...])) } ?? (step, "")
    switch name {
    case "ready": notifier.ready(status: value.isEmpty ? nil : value)
    case "status": notifier.status(value)
    case "watchdog": notifier.watchdog()
    case "reloading": notifier.reloading()
    case "stopping": notifier.stopping()
    case "interval":
        print(notifier.watchdogInterval.map { "\($0.components.seconds * 1_000_000 + $0.components.attoseconds / 1_000_000_000_000)" } ?? "off")
    case "log-events":
        for id in MessageID.allCases {
            var metadata = id.metadata
            metadata[LogField.orgKey] = "acme"
            metadata[LogField.jobIDKey] = "4876876000001594004"
            metadata[LogField.fileKey] = "Data_001.zip"
            metadata["attempt"] = "2"
            logger.notice("probe event \(id)", metadata: metadata)
        }
    case "log-credentials-error":
        let path = value + "/acme.json"
        let secret = #"{"client_id":"1000.PROBECLIENT","client_secret":"probe-client-secret-value","refresh_token":"1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"}"#
        _ = FileManager.default.createFile(atPath: path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o644])
        do {
            _ = try CredentialsLookup(environment: [:], directory: value).load("acme", org: "acme")
            logger.error("probe: the too-open credentials file was accepted")
        } catch {
            var metadata = MessageID.credentialsRejected.metadata
            metadata[LogField.orgKey] = "acme"
            logger.error("credentials rejected: \(error)", metadata: metadata)
        }
    case "not-dumpable":
        // What `run` does first: prints whether the process was dumpable before and after.
        let before = ProcessHardening.isDumpable
        let accepted = ProcessHardening.forbidCoreDumps()
        print("dumpable before=\(before) accepted=\(accepted) after=\(ProcessHardening.isDumpable)")
    case "log-leak":
        logger.error("\(ProcessInfo.processInfo.environment["ZCB_LEAK"] ?? "")", metadata: [LogField.orgKey: "acme"])
    default:
        print("unknown step \(step)")
        exit(64)
    }
}
