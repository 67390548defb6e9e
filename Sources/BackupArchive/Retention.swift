import Foundation
import ZohoModel

/// Which archived backups to keep: the semantics of restic's `forget --keep-*`.
///
/// Backups are taken newest first. `last` keeps the newest n. `weekly` keeps the newest
/// backup of each of the n most recent weeks that have one (ISO weeks, Monday first, in the
/// org's zone); `monthly` and `yearly` likewise for months and years. A backup kept by any
/// rule stays, with every rule that keeps it as its reasons. The newest backup is always
/// kept, whatever the counts. Pure: time and zone are arguments.
public enum Retention {
    /// A backup as retention sees it.
    public struct Candidate: Sendable, Equatable {
        /// Names the backup in the decisions (the archive passes its folder name).
        public var id: String
        /// When the backup completed, per its manifest: places it in its week, month and year.
        public var completedAt: Date
        /// Makes a candidate from its parts.
        public init(id: String, completedAt: Date) {
            self.id = id
            self.completedAt = completedAt
        }
    }

    /// What happens to one backup, and why.
    public struct Decision: Sendable, Equatable, CustomStringConvertible {
        /// The ``Candidate/id`` of the backup decided on.
        public var id: String
        /// True when at least one rule keeps the backup; false means it is removed.
        public var keep: Bool
        /// `last #1`, `weekly #3 (2026-W47)`, … or, for a removal, the rules it fell outside.
        public var reasons: [String]
        /// One line for logs and test failures: `kept:` or `removed:`, then the reasons.
        public var description: String { (keep ? "kept: " : "removed: ") + reasons.joined(separator: ", ") }
    }

    /// Decides for every backup in `backups`, newest first in the result. A backup in `held`
    /// (id → why) is kept whatever the counts, with `held — <why>` among its reasons; a hold
    /// does not take the place of a backup the counts keep. A backup in `kept` (id → reason,
    /// `kept — not yet off-site`) is kept too, with that reason.
    public static func decide(_ backups: [Candidate], keep: RetentionCounts, timeZone: TimeZone, held: [String: String] = [:],
                              kept: [String: String] = [:]) -> [Decision] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let sorted = backups.sorted { ($0.completedAt, $0.id) > ($1.completedAt, $1.id) }
        var reasons = [String: [String]]()

        func bucketRule(_ name: String, _ count: Int, _ bucket: (Date) -> String) {
            guard count > 0 else { return }
            var last: String?
            var kept = 0
            for backup in sorted where kept < count {
                let key = bucket(backup.completedAt)
                guard key != last else { continue }
                last = key
                kept += 1
                reasons[backup.id, default: []].append("\(name) #\(kept) (\(key))")
            }
        }
        for (index, backup) in sorted.prefix(keep.last).enumerated() {
            reasons[backup.id, default: []].append("last #\(index + 1)")
        }
        bucketRule("weekly", keep.weekly) { date in
            let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
            return String(format: "%04d-W%02d", c.yearForWeekOfYear ?? 0, c.weekOfYear ?? 0)
        }
        bucketRule("monthly", keep.monthly) { date in
            let c = calendar.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", c.year ?? 0, c.month ?? 0)
        }
        bucketRule("yearly", keep.yearly) { date in String(format: "%04d", calendar.component(.year, from: date)) }
        for backup in sorted {
            if let why = held[backup.id] { reasons[backup.id, default: []].append("held — \(why)") }
            if let why = kept[backup.id] { reasons[backup.id, default: []].append(why) }
        }
        if let newest = sorted.first, reasons[newest.id] == nil {
            reasons[newest.id] = ["newest backup (always kept)"]
        }

        let limits = [("last", keep.last), ("weekly", keep.weekly), ("monthly", keep.monthly), ("yearly", keep.yearly)]
            .filter { $0.1 > 0 }.map { "keep.\($0.0)=\($0.1)" }.joined(separator: ", ")
        return sorted.map { backup in
            if let why = reasons[backup.id] { return Decision(id: backup.id, keep: true, reasons: why) }
            return Decision(id: backup.id, keep: false, reasons: [limits.isEmpty ? "no keep rule keeps it" : "beyond \(limits)"])
        }
    }
}
