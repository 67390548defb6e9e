import Foundation
import Subprocess
import SystemPackage

/// One restic repository as this daemon uses it: the restic program, the repository, its
/// password file and the variables of the environment secret. Runs restic through
/// swift-subprocess with arguments as an array; the password is read by restic from its
/// file, and the repository (a URL may carry a password) and the secret's variables live in
/// restic's environment only, never in argv. restic runs in a session of its own, so that
/// stopping it reaches what it started (`ssh`, `rclone`) too.
public struct Restic: Sendable {
    /// The restic program: a path, or a name looked up on `PATH`.
    public var executable: String
    /// The repository, as restic's `--repo` takes it.
    public var repository: String
    /// A file holding the repository password (restic's `--password-file`).
    public var passwordFile: String
    /// Variables for restic's process only (S3 keys, `RCLONE_CONFIG`, …).
    public var environment: [String: String]
    /// restic's `--cache-dir` (under the state folder: the hardened unit has no home); nil:
    /// `--no-cache` (a command run by hand, which must not leave root's files in the daemon's cache).
    public var cacheDir: String?
    /// `PATH` for restic and the programs it runs (`ssh`, `rclone`).
    public var path: String
    /// How long a quick command (snapshots, ls, tag, forget, unlock, cat, init, stats) may run
    /// before it is stopped as hung (a stalled mount, a store that never answers).
    public var quickTimeout: Duration = .seconds(30 * 60)
    /// How long a backup, restore, check or prune may run.
    public var longTimeout: Duration = .seconds(12 * 3600)

    public init(executable: String = "restic", repository: String, passwordFile: String, environment: [String: String] = [:],
                cacheDir: String?, path: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") {
        self.executable = executable
        self.repository = repository
        self.passwordFile = passwordFile
        self.environment = environment
        self.cacheDir = cacheDir
        self.path = path
    }

    /// What a run printed and how it ended.
    public struct Run: Sendable {
        /// The exit status; nil when restic was killed by a signal.
        public var status: Int32?
        /// Standard output, complete up to ``Restic/outputLimit`` (then with its middle dropped).
        public var output: [UInt8]
        /// Standard output was longer than the limit (the middle was dropped).
        public var outputCut: Bool
        /// The end of standard error (restic's messages).
        public var errors: String
    }

    /// Standard output kept whole up to this size (a `snapshots --json` of thousands of snapshots).
    static let outputLimit = 64 << 20
    /// The tail of standard output kept beyond the limit, and of standard error always.
    static let tailLimit = 256 << 10

    /// Runs `restic <arguments>` against the repository in `directory`.
    /// - Throws: ``ResticError`` `.notInstalled` when restic cannot be started; a run that
    ///   started returns whatever its status.
    /// `started` is called once restic has printed its first output (a test's crash point mid-copy).
    /// `timeZone`: restic's `TZ` (UTC unless `forget` counts buckets in an org's zone).
    /// `long`: the run may take ``longTimeout`` rather than ``quickTimeout``; a run over its time
    /// is stopped (SIGINT, SIGKILL after 10 s) and throws `.timedOut`.
    public func run(_ arguments: [String], in directory: String? = nil, timeZone: String = "UTC", long: Bool = false,
                    started: @escaping @Sendable () -> Void = {}) async throws(ResticError) -> Run {
        var variables: [Environment.Key: String] = [:]
        for (key, value) in environment { variables[Environment.Key(stringLiteral: key)] = value }
        // The daemon's own, after the secret's (which may not set these: EnvironmentSecret.reserved).
        for (key, value) in ["PATH": path, "TZ": timeZone, "LC_ALL": "C.UTF-8", "RESTIC_PROGRESS_FPS": "0.2", "RESTIC_REPOSITORY": repository] {
            variables[Environment.Key(stringLiteral: key)] = value
        }
        let all = ["--password-file", passwordFile] + (cacheDir.map { ["--cache-dir", $0] } ?? ["--no-cache"]) + arguments
        var options = PlatformOptions()
        options.createSession = true
        // Stopped (shutdown, reload): restic removes its lock on SIGINT; SIGKILL after 10 s.
        options.teardownSequence = [.send(signal: .interrupt, toProcessGroup: true, allowedDurationToNextStep: .seconds(10))]
        let program: Executable = executable.contains("/") ? .path(FilePath(executable)) : .name(executable)
        let limit = long ? longTimeout : quickTimeout
        let finished: Run?
        do {
            finished = try await Self.race(program, arguments: all, environment: variables, directory: directory, options: options,
                                           limit: limit, started: started)
        } catch let error as SubprocessError where error.code == .executableNotFound || error.code == .spawnFailed {
            throw ResticError(.notInstalled, "restic could not be started as '\(executable)': \(error)")
        } catch {
            throw ResticError(.other, "restic could not be run\(directory.map { " in \($0)" } ?? ""): \(error)")
        }
        guard let finished else {
            throw ResticError(.timedOut, "restic \(arguments.first ?? "") did not finish within \(limit) and was stopped")
        }
        return finished
    }

    /// Runs restic raced against `limit`: the loser is cancelled (a cancelled run is torn
    /// down). - Returns: the run, or nil when the limit came first.
    private static func race(_ program: Executable, arguments: [String], environment: [Environment.Key: String], directory: String?,
                             options: PlatformOptions, limit: Duration, started: @escaping @Sendable () -> Void) async throws -> Run? {
        try await withThrowingTaskGroup(of: Run?.self) { group in
            group.addTask {
                let result = try await Subprocess.run(
                    program, arguments: Arguments(arguments), environment: .custom(environment),
                    workingDirectory: directory.map { FilePath($0) }, platformOptions: options,
                    input: .none, output: .sequence, error: .sequence
                ) { execution in
                    async let errors = Self.collect(execution.standardError, limit: 0, first: {})
                    let output = try await Self.collect(execution.standardOutput, limit: Self.outputLimit, first: started)
                    return (output, try await errors)
                }
                let (output, errors) = result.closureResult
                let status: Int32? = if case .exited(let code) = result.terminationStatus { code } else { nil }
                return Run(status: status, output: output.head + output.tail, outputCut: output.cut,
                           errors: String(decoding: errors.head + errors.tail, as: UTF8.self))
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Reads a stream keeping its first `limit` bytes and, beyond them, its last ``tailLimit``.
    /// `first` is called when the first bytes arrive.
    private static func collect(_ stream: SubprocessOutputSequence, limit: Int, first: () -> Void) async throws -> (head: [UInt8], tail: [UInt8], cut: Bool) {
        var head: [UInt8] = [], tail: [UInt8] = [], cut = false, seen = false
        for try await buffer in stream {
            if !seen { seen = true; first() }
            buffer.withUnsafeBytes { bytes in
                let room = max(0, limit - head.count)
                head.append(contentsOf: bytes.prefix(room))
                guard bytes.count > room else { return }
                tail.append(contentsOf: bytes.dropFirst(room))
                if tail.count > tailLimit {
                    tail.removeFirst(tail.count - tailLimit)
                    cut = true
                }
            }
        }
        return (head, tail, cut)
    }

    /// The error of a run that failed, classified.
    func failure(_ run: Run, doing what: String) -> ResticError {
        let kind = ResticError.classify(status: run.status, stderr: run.errors)
        let how = run.status.map { "exit \($0)" } ?? "killed by a signal"
        return ResticError(kind, "restic \(what) failed (\(how)): \(ResticError.headline(run.errors))", exitStatus: run.status)
    }
}
