/// When a backup's records changed too much since the one before it (the policy's `alert:`
/// keys): a module whose deleted or changed share of the older backup's records exceeds its
/// limit raises the mass-change alarm, and the older backup is held for `holdDays`.
public struct MassChangeLimits: Hashable, Sendable, Codable {
    /// `alert.max_deleted` as a share (0.05 for 5 %); nil: `off`.
    public var maxDeleted: Double?
    /// `alert.max_changed` as a share; nil: `off`.
    public var maxChanged: Double?
    /// `alert.min_records`: modules with fewer records in the older backup are ignored.
    public var minRecords: Int
    /// `alert.hold_days`: how long the backup before a mass change is held (and the alarm lasts).
    public var holdDays: Int

    /// Limits as given.
    public init(maxDeleted: Double?, maxChanged: Double?, minRecords: Int, holdDays: Int) {
        self.maxDeleted = maxDeleted
        self.maxChanged = maxChanged
        self.minRecords = minRecords
        self.holdDays = holdDays
    }

    /// The defaults: 5 % deleted, 20 % changed, modules of 100 records or more, a 90-day hold
    /// (Gearset's default rule is more than 5 % of a module's records changed or deleted).
    public static let `default` = MassChangeLimits(maxDeleted: 0.05, maxChanged: 0.20, minRecords: 100, holdDays: 90)
}
