import Foundation

/// Why a restic run failed, classified from its exit status and its error output (restic
/// 0.14's exit codes say only "failed"), with what to do.
public struct ResticError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as far as restic's output tells.
    public enum Kind: String, Sendable, Equatable, CaseIterable, Codable {
        /// The password does not open the repository.
        case wrongPassword
        /// There is no repository at the address (not initialised, or a wrong address).
        case repositoryMissing
        /// `init` found a repository there already.
        case repositoryExists
        /// Another restic holds an exclusive lock (or a stale lock of a killed one is left).
        case locked
        /// The store could not be reached (refused, timed out, DNS, TLS, SSH).
        case network
        /// The store refused the credentials of `environment_secret` (S3 keys, …).
        case accessDenied
        /// No space left (in the repository, or in restic's cache).
        case diskFull
        /// Exit 3: a snapshot was made, but some files could not be read: not a copy.
        case incomplete
        /// The restic program is not installed or cannot be run.
        case notInstalled
        /// restic was killed by a signal.
        case killed
        /// restic ran longer than its time limit (a hung store or mount) and was stopped.
        case timedOut
        /// restic's output was not what this version understands.
        case unexpectedOutput
        case other
    }

    public var kind: Kind
    /// The sentence naming what happened (restic's own words, secrets scrubbed).
    public var message: String
    /// restic's exit status, when it exited.
    public var exitStatus: Int32?

    public init(_ kind: Kind, _ message: String, exitStatus: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.exitStatus = exitStatus
    }

    public var description: String { message }

    /// What to do about it, for `repository` (as it may be shown).
    public func hint(repository: String) -> String {
        switch kind {
        case .wrongPassword:
            "The password secret does not open \(repository): check that offsite.password_secret names the secret holding this repository's password (`zoho-crm-backup check` shows which file is read)."
        case .repositoryMissing:
            "There is no restic repository at \(repository): create it with `zoho-crm-backup offsite init`, or correct offsite.repository (a mounted share that is not mounted looks like this too)."
        case .repositoryExists:
            "A repository exists at \(repository) already: it is used as it is; `offsite init` creates only new ones."
        case .locked:
            "Another restic holds a lock on \(repository) (its PID and host are in the message). The daemon runs `restic unlock`, which removes stale locks only (of a restic gone from this host, or 30 minutes old); a lock of a restic still running elsewhere stays until it ends. The copy is retried."
        case .network:
            "The store could not be reached; the copy is retried with backoff. Check the network, the address in offsite.repository, and for SFTP the service user's SSH key and known_hosts."
        case .accessDenied:
            "The store refused the credentials in offsite.environment_secret; fix the keys there (the copy is retried)."
        case .diskFull:
            "No space left for restic (the repository's disk, or its cache under the state folder): free space; the copy is retried."
        case .incomplete:
            "restic could not read every file of the backup folder, so the snapshot is not counted as a copy; check the archive's permissions (`zoho-crm-backup verify`)."
        case .notInstalled:
            "Install restic (`apt install restic`) or set offsite.restic to its path."
        case .timedOut:
            "restic hung on \(repository) (a stalled mount, a store that stopped answering) and was stopped; the copy is retried. Check that the store answers: `restic -r \(repository) snapshots`."
        case .killed:
            "restic was stopped before it finished; the copy is retried (a snapshot is counted only when restic confirms it)."
        case .unexpectedOutput, .other:
            "Run the same restic command by hand to see more (`restic -r \(repository) snapshots`); the copy is retried."
        }
    }

    /// The kind restic's exit `status` (nil: killed) and error output `stderr` show. Pure.
    public static func classify(status: Int32?, stderr: String) -> Kind {
        guard let status else { return .killed }
        let text = stderr.lowercased()
        func has(_ needles: String...) -> Bool { needles.contains { text.contains($0) } }
        if has("wrong password or no key found") { return .wrongPassword }
        if has("config file already exists", "repository master key and config already initialized") { return .repositoryExists }
        if has("no space left on device") { return .diskFull }
        if has("dial tcp", "connection refused", "no such host", "i/o timeout", "network is unreachable", "connection reset",
               "tls handshake", "unable to start the sftp session", "ssh: ", "context deadline exceeded", "no route to host",
               "server misbehaving", "temporary failure in name resolution") {
            return .network
        }
        if has("access denied", "accessdenied", "invalidaccesskeyid", "signaturedoesnotmatch", "403 forbidden", "401 unauthorized",
               "the aws access key id you provided does not exist", "signature we calculated does not match", "authorization") {
            return .accessDenied
        }
        // "unable to create lock in backend: …" prefixes any failure to write the lock; only "already locked" is a lock.
        if has("repository is already locked", "already locked exclusively", "already locked by") { return .locked }
        if has("signal interrupt received", "signal terminated received") || status == 130 { return .killed }
        if has("is there a repository at the following location", "repository does not exist", "nosuchbucket") { return .repositoryMissing }
        if status == 3 { return .incomplete }
        return .other
    }

    /// The line of restic's error output worth showing: its `Fatal:` line, else its last line.
    public static func headline(_ stderr: String) -> String {
        let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let fatal = lines.first(where: { $0.hasPrefix("Fatal:") }) { return fatal }
        if let lock = lines.first(where: { $0.contains("locked") }) { return lock }
        return lines.last ?? "no error output"
    }
}
