/// How many archived backups to keep: the newest `last`, plus the newest backup of each of
/// the latest `weekly` weeks, `monthly` months and `yearly` years (in the org's zone).
/// A backup kept by any rule stays.
public struct RetentionCounts: Hashable, Sendable, Codable {
    public var last: Int
    public var weekly: Int
    public var monthly: Int
    public var yearly: Int

    public init(last: Int, weekly: Int, monthly: Int, yearly: Int) {
        self.last = last
        self.weekly = weekly
        self.monthly = monthly
        self.yearly = yearly
    }

    /// DESIGN.md's default: `{ last: 4, weekly: 8, monthly: 12, yearly: 3 }`.
    public static let `default` = RetentionCounts(last: 4, weekly: 8, monthly: 12, yearly: 3)

    /// The largest count a rule may have.
    public static let maximum = 10_000
}
