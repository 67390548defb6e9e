import Foundation
import Logging
import Notify
import Policy
import Testing
import TestSupport
import ZohoAPI
import ZohoModel

/// E-mail alerts through a `sendmail` stand-in that records its arguments and the mail; the
/// setuid/setgid `sendmail` that cannot work under the hardened unit is named at once.
@Suite("Alerts by e-mail")
struct EmailTests {
    /// A folder with a `sendmail` stand-in writing its argv and standard input (or failing).
    final class Stand: @unchecked Sendable {   // set once, read by one test
        let folder = NSTemporaryDirectory() + "zcb-mail-\(UUID().uuidString)"
        var sendmail: String { folder + "/sendmail" }

        init(exit status: Int = 0) throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let script = """
                #!/bin/sh
                n=$(ls "\(folder)" | grep -c '^mail-' || true)
                printf '%s\\n' "$@" > "\(folder)/args-$n"
                cat > "\(folder)/mail-$n"
                [ \(status) = 0 ] || echo "msmtp: cannot connect to smtp.example.com, port 587" >&2
                exit \(status)
                """
            try Data(script.utf8).write(to: URL(fileURLWithPath: sendmail))
            chmod(sendmail, 0o755)
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }

        var mails: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("mail-") }.sorted()
                .compactMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }
        }
        func args(_ n: Int) -> [String] {
            ((try? String(contentsOfFile: folder + "/args-\(n)", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    static func message(_ event: AlertEvent = .backupFailed) -> AlertMessage {
        AlertMessage(event: event, org: "acme", jobID: "4876876000123", level: "error", message: "backup 4876876000123 failed: the disk is full",
                     messageID: "37a1bf4bce924affb487e1edb0d1acb6", hint: "Free space in the archive folder.", time: Date(timeIntervalSince1970: 1_800_000_000),
                     host: "backup1")
    }

    @Test("the mail: sender, recipients, a subject naming org and event, plain text with the hint and the journal's MESSAGE_ID; sendmail -i -f FROM -- TO…")
    func mail() async throws {
        let stand = try Stand()
        let target = EmailTarget(to: ["ops@example.com", "boss@example.com"], from: "zoho-crm-backup@backup1.example.com", sendmail: stand.sendmail)
        let problem = await Sendmail.send(EmailMessage.make(Self.message(), folded: 2, target: target), target: target, timeout: .seconds(120))   // not the timeout's test: a loaded machine is slow
        #expect(problem == nil)
        #expect(stand.args(0) == ["-i", "-f", "zoho-crm-backup@backup1.example.com", "--", "ops@example.com", "boss@example.com"])
        let mail = try #require(stand.mails.first)
        let (head, body) = try #require(mail.range(of: "\n\n").map { (String(mail[..<$0.lowerBound]), String(mail[$0.upperBound...])) })
        let headers = Dictionary(head.split(separator: "\n").map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }, uniquingKeysWith: { a, _ in a })
        #expect(headers["From"] == "zoho-crm-backup@backup1.example.com" && headers["To"] == "ops@example.com, boss@example.com")
        #expect(headers["Subject"] == "[zoho-crm-backup] acme: backup failed")
        #expect(headers["Content-Type"] == "text/plain; charset=utf-8" && headers["Date"] == "Fri, 15 Jan 2027 08:00:00 +0000")
        #expect(headers["Message-ID"]?.hasSuffix("@backup1.example.com>") == true && headers["X-Zoho-CRM-Backup-Event"] == "backup_failed")
        #expect(body.hasPrefix("backup 4876876000123 failed: the disk is full\nWhat to do: Free space in the archive folder.\n(and 2 more"))
        #expect(body.contains("journalctl MESSAGE_ID=37a1bf4bce924affb487e1edb0d1acb6"))
    }

    @Test("through the outbox: a refusing sendmail is retried with its words in the warning; delivered when it takes the mail")
    func throughTheSender() async throws {
        let failing = try Stand(exit: 75)
        let folder = NSTemporaryDirectory() + "zcb-mail-outbox-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outbox = Outbox(folder: folder)
        let ref = DestinationRef(org: "acme", name: "email")
        func destination(_ sendmail: String) -> NotifyDestination {
            NotifyDestination(name: "email", kind: .email, url: .inline("mailto:ops@example.com"), events: AlertEvent.webhookDefault,
                              email: EmailTarget(to: ["ops@example.com"], from: "zcb@example.com", sendmail: sendmail))
        }
        let clock = ManualWallClock(now: 1_800_000_000), recorder = LogRecorder()
        let sender = AlertSender(outbox: outbox, destinations: [ref: destination(failing.sendmail)], secrets: SecretLookup(environment: [:], directory: folder),
                                 transport: HTTPAlertTransport(client: ZohoHTTPClient.shared), clock: clock, logger: recorder.logger)
        try outbox.put(Self.message(), to: [ref])
        await sender.deliverDue()
        #expect(outbox.entries().entries.count == 1)
        #expect(recorder.all().last?.message.contains("cannot connect to smtp.example.com") == true, "\(recorder.all().map(\.message))")
        let working = try Stand()
        await sender.setDestinations([ref: destination(working.sendmail)])
        await sender.deliverDue()
        #expect(outbox.entries().entries.isEmpty && working.mails.count == 1)
    }

    @Test("a sendmail that cannot work under NoNewPrivileges= is named with the fix: missing, setgid, setuid, postfix's with a setgid postdrop; msmtp's is fine",
          .enabled(if: getuid() == 0, "setting the setgid bit on a file of another group needs root"))
    func setgid() throws {
        let stand = try Stand()
        #expect(Sendmail.problem(stand.sendmail) == nil)
        #expect(Sendmail.problem(stand.folder + "/none")?.contains("apt install msmtp-mta") == true)
        chmod(stand.sendmail, 0o2755)
        let problem = try #require(Sendmail.problem(stand.sendmail))
        #expect(problem.contains("setuid or setgid") && problem.contains("NoNewPrivileges=") && problem.contains("msmtp-mta"))
        let link = stand.folder + "/sendmail-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: stand.sendmail)
        #expect(Sendmail.problem(link)?.contains("setuid or setgid") == true, "followed through a link, as /usr/sbin/sendmail → exim4")
        let msmtp = stand.folder + "/msmtp"
        try FileManager.default.copyItem(atPath: stand.sendmail, toPath: msmtp)
        chmod(msmtp, 0o2755)
        #expect(Sendmail.problem(msmtp)?.contains("chmod u-s,g-s") == true, "msmtp made setgid: undo it, not install msmtp-mta")
        chmod(stand.sendmail, 0o4755)
        #expect(Sendmail.problem(stand.sendmail)?.contains("setuid or setgid") == true, "setuid too")

        // postfix's sendmail is a plain program that hands mail to the setgid postdrop.
        try FileManager.default.createDirectory(atPath: stand.folder + "/postfix", withIntermediateDirectories: true)
        let postfix = stand.folder + "/postfix/sendmail", postdrop = stand.folder + "/postdrop"
        for file in [postfix, postdrop] { try FileManager.default.copyItem(atPath: msmtp, toPath: file); chmod(file, 0o755) }
        #expect(Sendmail.problem(postfix, helpers: [(postdrop, "postfix")]) == nil, "postdrop without privileges works")
        chmod(postdrop, 0o2755)
        let handed = try #require(Sendmail.problem(postfix, helpers: [(postdrop, "postfix")]))
        #expect(handed.contains("postfix's") && handed.contains(postdrop) && handed.contains("apt install msmtp-mta"), "\(handed)")
    }
}
