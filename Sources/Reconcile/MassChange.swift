import Foundation
import ZohoModel

/// What the comparison of a newly archived backup with the one before it found, as the
/// mass-change decision needs it (the shell reads it from the two record indexes).
public struct Comparison: Sendable, Equatable {
    /// One module's counts.
    public struct Module: Sendable, Equatable {
        /// The module, as its files are named.
        public var name: String
        /// Records in the older backup (0 when the module appeared).
        public var olderRecords: Int
        /// Records in the newer backup (0 when the module vanished).
        public var newerRecords: Int
        /// Records only the newer backup has.
        public var added: Int
        /// Records only the older backup has.
        public var deleted: Int
        /// Records in both whose values differ.
        public var changed: Int
        /// The module is only in the older backup.
        public var vanished: Bool
        /// The module is only in the newer backup.
        public var appeared: Bool
        /// The changed count means changed values: no column holding values was renamed or removed.
        public var changedComparable: Bool
        /// How the header changed, in words (`column Phone renamed to Mobile`), if it did.
        public var headerChange: String?
        /// A file of the module could not be read to its end in one of the backups: its
        /// counts are not judged.
        public var incomplete: Bool

        /// A module's counts as compared.
        public init(name: String, olderRecords: Int, newerRecords: Int, added: Int, deleted: Int, changed: Int,
                    vanished: Bool = false, appeared: Bool = false, changedComparable: Bool = true, headerChange: String? = nil,
                    incomplete: Bool = false) {
            self.incomplete = incomplete
            self.name = name
            self.olderRecords = olderRecords
            self.newerRecords = newerRecords
            self.added = added
            self.deleted = deleted
            self.changed = changed
            self.vanished = vanished
            self.appeared = appeared
            self.changedComparable = changedComparable
            self.headerChange = headerChange
        }
    }

    /// The older backup's folder name and job.
    public var older: String
    /// The older backup's job.
    public var olderJobID: String
    /// The newer (just archived) backup's folder name, job and completion time.
    public var newer: String
    /// The newer backup's job.
    public var newerJobID: String
    /// When the newer backup completed.
    public var newerCompletedAt: Date
    /// Every module of either backup.
    public var modules: [Module]

    /// A comparison of `older` with `newer`.
    public init(older: String, olderJobID: String, newer: String, newerJobID: String, newerCompletedAt: Date, modules: [Module]) {
        self.older = older
        self.olderJobID = olderJobID
        self.newer = newer
        self.newerJobID = newerJobID
        self.newerCompletedAt = newerCompletedAt
        self.modules = modules
    }
}

/// One module over a mass-change limit.
public struct MassChange: Sendable, Equatable {
    /// What crossed the limit.
    public enum Kind: String, Sendable, Equatable {
        /// Records deleted (or the whole module gone).
        case deleted
        /// Records whose values changed.
        case changed
    }

    /// The module, as its files are named.
    public var module: String
    /// What crossed its limit.
    public var kind: Kind
    /// Records deleted or changed.
    public var count: Int
    /// The older backup's records of the module.
    public var of: Int
    /// The limit crossed, as a share.
    public var limit: Double

    /// `count` as a share of `of`.
    public var share: Double { of == 0 ? 0 : Double(count) / Double(of) }

    /// `Contacts lost 3,120 of 41,200 records (7.6 %)`, or `… changed …`.
    public var phrase: String {
        "\(module) \(kind == .deleted ? "lost" : "had changes in") \(Self.grouped(count)) of \(Self.grouped(of)) records (\(Self.percent(share)))"
    }

    /// `41,200`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = n < 0 ? "-" : ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    /// `7.6 %` (one decimal; two below 1 %).
    public static func percent(_ share: Double) -> String {
        let value = share * 100
        return String(format: value < 1 && value > 0 ? "%.2f %%" : "%.1f %%", value)
    }
}

extension Reconcile {
    /// The modules of `comparison` over the org's mass-change limits. Pure.
    ///
    /// A module is judged when the older backup had at least `minRecords` of it and both
    /// backups' files of it were read to their end. Its deleted
    /// share over `maxDeleted`, or its changed share over `maxChanged`, is a mass change. The
    /// changed share is not judged when the header changed (a renamed, removed or filled new
    /// column alone changes every such record's hash: it is reported, not alarmed). A
    /// module that vanished lost all its records — unless a module that appeared in the same
    /// backup holds at least 90 % as many (a module renamed under a new label).
    public static func massChanges(in comparison: Comparison, limits: MassChangeLimits) -> [MassChange] {
        var found: [MassChange] = []
        let appeared = comparison.modules.filter(\.appeared)
        for module in comparison.modules where !module.appeared && !module.incomplete && module.olderRecords >= max(1, limits.minRecords) {
            if let max = limits.maxDeleted {
                let renamed = module.vanished && appeared.contains { Double($0.newerRecords) >= 0.9 * Double(module.olderRecords) }
                let deleted = module.vanished ? module.olderRecords : module.deleted
                if !renamed, Double(deleted) > max * Double(module.olderRecords) {
                    found.append(MassChange(module: module.name, kind: .deleted, count: deleted, of: module.olderRecords, limit: max))
                }
            }
            if let max = limits.maxChanged, !module.vanished, module.changedComparable, Double(module.changed) > max * Double(module.olderRecords) {
                found.append(MassChange(module: module.name, kind: .changed, count: module.changed, of: module.olderRecords, limit: max))
            }
        }
        return found
    }
}
