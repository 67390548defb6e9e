import Foundation
import ZohoModel

extension Restic {
    /// What `restic forget` kept and removed.
    public struct Forgotten: Sendable, Equatable {
        public var kept: [ResticSnapshot]
        public var removed: [ResticSnapshot]
    }

    /// Forgets `host`'s snapshots carrying every tag of `tags` beyond `keep` (`restic forget
    /// --group-by host`: each backup folder is a path of its own, so restic's default grouping
    /// by host and paths would keep every one), keeping any tagged `keepTag`. Buckets (weeks,
    /// months, years) are counted in `timeZone`. Data is freed only by ``prune()``.
    public func forget(host: String, tags: [String], keep: RetentionCounts, keepTag: String, timeZone: TimeZone) async throws(ResticError) -> Forgotten {
        var arguments = ["forget", "--json", "--host", host, "--group-by", "host", "--keep-tag", keepTag]
        if !tags.isEmpty { arguments += ["--tag", tags.joined(separator: ",")] }
        for (flag, count) in [("--keep-last", keep.last), ("--keep-weekly", keep.weekly), ("--keep-monthly", keep.monthly), ("--keep-yearly", keep.yearly)]
        where count > 0 {
            arguments += [flag, String(count)]
        }
        let run = try await run(arguments, timeZone: timeZone.identifier)
        guard run.status == 0 else { throw failure(run, doing: "forget") }
        struct Group: Decodable { var keep: [ResticSnapshot]?; var remove: [ResticSnapshot]? }
        let text = String(decoding: run.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text != "null" else { return Forgotten(kept: [], removed: []) }
        // The JSON is the last line (restic may print notes before it).
        let json = text.split(separator: "\n").last.map(String.init) ?? text
        do {
            let groups = try JSONDecoder().decode([Group].self, from: Data(json.utf8))
            return Forgotten(kept: groups.flatMap { $0.keep ?? [] }, removed: groups.flatMap { $0.remove ?? [] })
        } catch {
            throw ResticError(.unexpectedOutput, "restic forget --json printed what this version does not understand: \(error)")
        }
    }

    /// Adds or removes `tag` on `snapshot` (`restic tag`; restic rewrites the snapshot under a new id).
    public func tag(_ snapshot: ResticSnapshot, add: Bool, _ tag: String) async throws(ResticError) {
        let run = try await run(["tag", add ? "--add" : "--remove", tag, snapshot.id])
        guard run.status == 0 else { throw failure(run, doing: "tag of snapshot \(snapshot.shortID)") }
    }

    /// Checks the repository's structure and reads `subset` of its data (`restic check
    /// --read-data-subset=5%`). - Returns: nil when it passed, else restic's account of the damage.
    /// - Throws: when the check could not run (locked, unreachable, wrong password, …).
    public func check(readDataSubset subset: String) async throws(ResticError) -> String? {
        let run = try await run(["check", "--read-data-subset=\(subset)"], long: true)
        if run.status == 0 { return nil }
        let kind = ResticError.classify(status: run.status, stderr: run.errors)
        // restic 0.14 exits 1 both for damage and for a check that could not run: damage is what it says.
        let all = String(decoding: run.output, as: UTF8.self) + "\n" + run.errors
        let damage = all.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("error") || $0.contains("does not match") || $0.contains("ciphertext verification failed")
                || $0.contains("repository contains errors") }
        guard kind == .other, !damage.isEmpty else { throw failure(run, doing: "check") }
        return damage.prefix(3).joined(separator: "; ")
    }

    /// Removes stale locks only (`restic unlock`, never `--remove-all`): those of a restic that
    /// is gone from this host, or older than 30 minutes. A live restic's lock stays.
    public func unlockStale() async throws(ResticError) {
        let run = try await run(["unlock"])
        guard run.status == 0 else { throw failure(run, doing: "unlock") }
    }

    /// Frees the data no snapshot refers to any more (`restic prune`; an exclusive lock).
    public func prune() async throws(ResticError) {
        let run = try await run(["prune"], long: true)
        guard run.status == 0 else { throw failure(run, doing: "prune") }
    }
}
