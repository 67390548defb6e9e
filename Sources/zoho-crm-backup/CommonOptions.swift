import ArgumentParser
import Policy

/// `--policy PATH`, taken by every command.
struct PolicyOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The policy file.", valueName: "path"))
    var policy: String = PolicyLoader.defaultPath
}

/// `--json`, taken by every read-only command: machine-readable output on stdout.
struct JSONOption: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON on stdout instead of text.")
    var json = false
}

/// `--org NAME`, for commands that may act on one org.
struct OrgOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only this organisation (its name in the policy).", valueName: "name"))
    var org: String?
}
