import Foundation
import Glibc
import Policy
import Subprocess
import SystemPackage

/// Hands mail to the machine's `sendmail` interface, as cron and smartd do. Under the
/// hardened unit (`NoNewPrivileges=`) a setuid or setgid `sendmail` (exim4's, postfix's
/// `postdrop`) cannot work; msmtp-mta's needs no privileges and relays to a smarthost.
public enum Sendmail {
    /// Runs `sendmail -i -f FROM -- TO…` with `mail` on its standard input.
    /// - Returns: nil when sendmail took it, else what went wrong (its words, its status).
    public static func send(_ mail: String, target: EmailTarget, timeout: Duration) async -> String? {
        if let problem = problem(target.sendmail) { return problem }
        // The mail and sendmail's error output go through files, not pipes: a pipe's end that
        // another process started at the same moment inherits would keep sendmail waiting for
        // the end of its input (seen once under the test suite's load).
        let base = NSTemporaryDirectory() + "zcb-mail-\(UUID().uuidString)"
        defer {
            unlink(base + ".eml")
            unlink(base + ".err")
        }
        do {
            guard FileManager.default.createFile(atPath: base + ".eml", contents: Data(mail.utf8), attributes: [.posixPermissions: 0o600]) else {
                return "the mail could not be written to \(NSTemporaryDirectory()) for sendmail"
            }
            let input = try FileDescriptor.open(FilePath(base + ".eml"), .readOnly)
            let errors = try FileDescriptor.open(FilePath(base + ".err"), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
            let finished = try await withThrowingTaskGroup(of: String??.self) { group in
                group.addTask {
                    let result = try await Subprocess.run(
                        .path(FilePath(target.sendmail)), arguments: Arguments(["-i", "-f", target.from, "--"] + target.to),
                        environment: .inherit, input: .fileDescriptor(input, closeAfterSpawningProcess: true), output: .discarded,
                        error: .fileDescriptor(errors, closeAfterSpawningProcess: true))
                    if case .exited(0) = result.terminationStatus { return .some(nil) }
                    let words = ((try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                    return .some("\(target.sendmail) refused the mail (\(result.terminationStatus))\(words.isEmpty ? "" : ": \(words.prefix(300))")")
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return .none
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let finished else { return "\(target.sendmail) did not finish within \(timeout) and was stopped" }
            return finished
        } catch {
            return "\(target.sendmail) could not be run: \(error)"
        }
    }

    /// What keeps `path` from working under the hardened unit, or nil: missing, not
    /// executable, setuid/setgid (exim4's), or postfix's (its `postdrop` is setgid).
    public static func problem(_ path: String, helpers: [(path: String, mta: String)] = privilegedHelpers) -> String? {
        let fix = "Install msmtp-mta (`apt install msmtp-mta`), which needs no privileges, and configure /etc/msmtprc (see the README's \"E-mail\"), or set notify.email.sendmail to msmtp's path."
        guard let resolved = realpath(path, nil) else {
            return "there is no \(path): nothing can send mail. \(fix)"
        }
        let real = String(cString: resolved)
        free(resolved)
        var info = stat()
        guard stat(real, &info) == 0, access(real, X_OK) == 0 else { return "\(path) (\(real)) is not an executable program. \(fix)" }
        if info.st_mode & (S_ISUID | S_ISGID) != 0 {
            if real.hasSuffix("/msmtp") {
                return "\(path) is \(real), msmtp made setuid or setgid: under the service's NoNewPrivileges= it cannot run so. Undo it: chmod u-s,g-s \(real)."
            }
            return "\(path) is \(real), which is setuid or setgid: under the service's NoNewPrivileges= it cannot deliver. \(fix)"
        }
        // An MTA whose sendmail is a plain program handing mail to a privileged helper.
        guard real == "/usr/sbin/sendmail" || real.hasSuffix("/postfix/sendmail") else { return nil }
        for (helper, mta) in helpers {
            var helperInfo = stat()
            if stat(helper, &helperInfo) == 0, helperInfo.st_mode & (S_ISUID | S_ISGID) != 0 {
                return "\(path) is \(mta)'s, which hands mail to the setuid/setgid \(helper): under the service's NoNewPrivileges= it cannot deliver. \(fix)"
            }
        }
        return nil
    }

    /// The setuid/setgid helpers through which postfix's and nullmailer's plain `sendmail` deliver.
    public static let privilegedHelpers: [(path: String, mta: String)] = [("/usr/sbin/postdrop", "postfix"), ("/usr/sbin/nullmailer-queue", "nullmailer")]
}
