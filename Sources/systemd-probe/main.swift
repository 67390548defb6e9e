// systemd-probe: a tiny program for the Systemd target's tests. It calls the real Systemd API
// (sd_notify through libsystemd) as the daemon does, so tests can check what systemd would
// receive through a real NOTIFY_SOCKET without starting the daemon. Not installed.
//
// Usage: systemd-probe STEP…   where STEP is ready:TEXT, status:TEXT, watchdog, reloading,
// stopping, or interval (prints the watchdog interval in microseconds, or "off").
import Systemd
import Glibc

let notifier = Notifier()
for step in CommandLine.arguments.dropFirst() {
    let (name, value) = step.firstIndex(of: ":").map { (String(step[..<$0]), String(step[step.index(after: $0)...])) } ?? (step, "")
    switch name {
    case "ready": notifier.ready(status: value.isEmpty ? nil : value)
    case "status": notifier.status(value)
    case "watchdog": notifier.watchdog()
    case "reloading": notifier.reloading()
    case "stopping": notifier.stopping()
    case "interval": print(notifier.watchdogInterval.map { "\($0.components.seconds * 1_000_000 + $0.components.attoseconds / 1_000_000_000_000)" } ?? "off")
    default:
        print("unknown step \(step)")
        exit(64)
    }
}
