import ArgumentParser

extension ZohoCRMBackup {
    struct Run: PendingCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the daemon in the foreground (systemd's ExecStart).",
            discussion: "Keeps each org's Zoho schedule equal to the policy, downloads every completed backup, verifies it, archives it and applies retention. SIGHUP reloads the policy; SIGTERM stops at a resumable point.")
        static let pendingPart = "the supervisor (\"The reconcile core and the supervisor\")"
        @OptionGroup var policy: PolicyOption
    }

    struct Plan: PendingCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read-only: observe Zoho and the archive, and print what run would do now.")
        static let pendingPart = "the supervisor (\"The reconcile core and the supervisor\")"
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption
    }

    struct Status: PendingCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per org: Zoho's schedule and job, next run, last archived backup, links' expiry, errors.",
            discussion: "Shows the daemon's last observation and its age; asks Zoho itself only when no daemon runs.")
        static let pendingPart = "the supervisor (\"The reconcile core and the supervisor\")"
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption
    }

    struct Now: PendingCommand {
        static let configuration = CommandConfiguration(
            abstract: "Request an immediate backup (spends one of Zoho's monthly backups).",
            discussion: "Asks for confirmation on a terminal unless --yes; never waits for input without one. With a recurring schedule in place Zoho refuses a second backup: --replace-schedule cancels it, runs the immediate backup and restores the schedule once it completes.")
        static let pendingPart = "the supervisor (\"The reconcile core and the supervisor\")"
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @Flag(name: .long, help: "Follow the backup until it is archived, with progress.")
        var wait = false
        @Flag(name: .long, help: "Do not ask for confirmation.")
        var yes = false
        @Flag(name: .long, help: "Cancel the recurring schedule for this backup, then restore it.")
        var replaceSchedule = false
    }

    struct Demo: PendingCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the whole cycle against the built-in simulator in a temporary folder, for a first look.")
        static let pendingPart = "the supervisor (\"The reconcile core and the supervisor\")"
    }
}
