import Foundation
import ZohoModel

extension Restic {
    /// Creates the repository (`restic init`). - Throws: `.repositoryExists` when one is there.
    public func initialize() async throws(ResticError) {
        let run = try await run(["init"])
        guard run.status == 0 else { throw failure(run, doing: "init of \(Self.shown(repository))") }
    }

    /// The snapshots of `host` carrying every tag of `tags` (`restic snapshots --json`).
    /// `locking: false` lists without a lock (`--no-lock`), so a command's listing never waits
    /// for, nor fails on, the daemon's check or prune.
    public func snapshots(host: String? = nil, tags: [String] = [], locking: Bool = true) async throws(ResticError) -> [ResticSnapshot] {
        var arguments = (locking ? [] : ["--no-lock"]) + ["snapshots", "--json"]
        if let host { arguments += ["--host", host] }
        // One --tag with a comma list: snapshots with all of them (several --tag would be any of them).
        if !tags.isEmpty { arguments += ["--tag", tags.joined(separator: ",")] }
        let run = try await run(arguments)
        guard run.status == 0 else { throw failure(run, doing: "snapshots") }
        guard !run.outputCut else {
            throw ResticError(.unexpectedOutput, "restic snapshots listed more than \(Self.outputLimit >> 20) MiB; too many snapshots for one org")
        }
        let text = String(decoding: run.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            // restic 0.14 prints `null` for none.
            return text == "null" || text.isEmpty ? [] : try JSONDecoder().decode([ResticSnapshot].self, from: Data(text.utf8))
        } catch {
            throw ResticError(.unexpectedOutput, "restic snapshots --json printed what this version does not understand: \(error)")
        }
    }

    /// Copies the folder `name` of `parent` as one snapshot (`restic backup --json`), stored
    /// under its own name at the snapshot's root.
    /// - Returns: the summary; counted only on exit 0 with a summary naming the snapshot (exit 3
    ///   — some files unreadable, a snapshot made anyway — is `.incomplete`).
    public func backup(folder name: String, in parent: String, host: String, tags: [String], time: Date,
                       started: @escaping @Sendable () -> Void = {}) async throws(ResticError) -> ResticBackupSummary {
        var arguments = ["backup", "--json", "--host", host, "--time", Self.timeArgument(time)]
        for tag in tags { arguments += ["--tag", tag] }
        arguments += ["--", name]
        let run = try await run(arguments, in: parent, long: true, started: started)
        guard run.status == 0 else { throw failure(run, doing: "backup of \(name)") }
        guard let summary = ResticBackupSummary.find(in: run.output), !summary.snapshotID.isEmpty else {
            throw ResticError(.unexpectedOutput, "restic backup of \(name) exited 0 without a summary naming the snapshot; not counted as a copy", exitStatus: 0)
        }
        return summary
    }

    /// Restores `snapshot` (an id) into the folder `target` (`restic restore`); the snapshot's
    /// backup folder appears as `target/<backup name>`.
    public func restore(_ snapshot: String, to target: String) async throws(ResticError) {
        let run = try await run(["restore", snapshot, "--target", target], long: true)
        guard run.status == 0 else { throw failure(run, doing: "restore of snapshot \(snapshot)") }
    }

    /// Whether `snapshot` holds the folder `name` whole: each of `files` (name → size) under
    /// `/<name>/` with its size (`restic ls --json`). A snapshot restic made while it could not
    /// read some files (exit 3) carries the job's tag too, and must not count as the copy.
    public func holds(_ snapshot: ResticSnapshot, folder name: String, files: [String: Int64]) async throws(ResticError) -> Bool {
        let run = try await run(["ls", "--json", snapshot.id])
        guard run.status == 0 else { throw failure(run, doing: "ls of snapshot \(snapshot.shortID)") }
        guard !run.outputCut else { return false }
        struct Node: Decodable { var type: String?; var path: String?; var size: Int64?; var struct_type: String? }
        var found: [String: Int64] = [:]
        let decoder = JSONDecoder()
        for line in run.output.split(separator: UInt8(ascii: "\n")) {
            guard let node = try? decoder.decode(Node.self, from: Data(line)), node.struct_type == "node", node.type == "file",
                  let path = node.path, path.hasPrefix("/\(name)/") else { continue }
            found[String(path.dropFirst(name.count + 2))] = node.size ?? 0
        }
        return files.allSatisfy { found[$0.key] == $0.value }
    }

    /// Removes `snapshot` from the repository's list (`restic forget`; its data goes at the next prune).
    public func forget(_ snapshot: ResticSnapshot) async throws(ResticError) {
        let run = try await run(["forget", snapshot.id])
        guard run.status == 0 else { throw failure(run, doing: "forget of snapshot \(snapshot.shortID)") }
    }

    /// The repository's id (`restic cat config`): it changes when a repository is made anew at the same address.
    public func repositoryID() async throws(ResticError) -> String {
        let run = try await run(["cat", "config"])
        guard run.status == 0 else { throw failure(run, doing: "cat config") }
        struct Config: Decodable { var id: String }
        guard let config = try? JSONDecoder().decode(Config.self, from: Data(run.output)) else {
            throw ResticError(.unexpectedOutput, "restic cat config printed what this version does not understand")
        }
        return config.id
    }

    /// The repository's stored size in bytes (`restic stats --mode raw-data`), nil when restic does not say.
    public func storedSize() async throws(ResticError) -> Int64? {
        let run = try await run(["stats", "--json", "--mode", "raw-data"])
        guard run.status == 0 else { throw failure(run, doing: "stats") }
        struct Stats: Decodable { var total_size: Int64? }
        return (try? JSONDecoder().decode(Stats.self, from: Data(run.output)))?.total_size
    }

    /// `--time` as restic 0.14 takes it: `2006-01-02 15:04:05`, in UTC (restic runs with `TZ=UTC`).
    static func timeArgument(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// A repository as it may be shown (a URL's password masked).
    static func shown(_ repository: String) -> String { RepositoryAddress.redacted(repository) }
}
