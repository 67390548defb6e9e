import Foundation

/// The one-line `STATUS=` text that `systemctl status` shows: how many orgs are fine, which
/// fail, what is downloading, and when the next backup is due.
public struct StatusSummary: Equatable, Sendable {
    /// A download in progress.
    public struct Download: Equatable, Sendable {
        public var org: String
        public var partsDone: Int
        public var partsTotal: Int
        public var bytesDone: Int64
        public var bytesTotal: Int64?
        public init(org: String, partsDone: Int, partsTotal: Int, bytesDone: Int64, bytesTotal: Int64?) {
            self.org = org
            self.partsDone = partsDone
            self.partsTotal = partsTotal
            self.bytesDone = bytesDone
            self.bytesTotal = bytesTotal
        }
    }

    public var orgsOK: [String]
    /// Orgs in error, in freshness alarm or in mass-change alarm.
    public var orgsFailing: [String]
    public var downloads: [Download]
    /// The soonest scheduled backup: which org, and when.
    public var nextBackup: (org: String, at: Date)?
    /// Orgs in mass-change alarm and the modules: `acme (Contacts)`.
    public var massChanges: [String]
    /// Orgs whose off-site copies are failing.
    public var offsiteFailing: [String]
    /// Orgs whose off-site repository failed its last check.
    public var offsiteCheckFailed: [String]

    public init(orgsOK: [String], orgsFailing: [String], downloads: [Download] = [], nextBackup: (org: String, at: Date)? = nil,
                massChanges: [String] = [], offsiteFailing: [String] = [], offsiteCheckFailed: [String] = []) {
        self.offsiteCheckFailed = offsiteCheckFailed
        self.massChanges = massChanges
        self.offsiteFailing = offsiteFailing
        self.orgsOK = orgsOK
        self.orgsFailing = orgsFailing
        self.downloads = downloads
        self.nextBackup = nextBackup
    }

    public static func == (a: StatusSummary, b: StatusSummary) -> Bool {
        a.orgsOK == b.orgsOK && a.orgsFailing == b.orgsFailing && a.downloads == b.downloads && a.massChanges == b.massChanges
            && a.offsiteFailing == b.offsiteFailing && a.offsiteCheckFailed == b.offsiteCheckFailed
            && a.nextBackup?.org == b.nextBackup?.org && a.nextBackup?.at == b.nextBackup?.at
    }

    /// E.g. `2 orgs OK, 1 failing (globex); downloading acme 3/5 parts, 1.2GiB/3GiB; next backup acme 2026-11-27 09:30 UTC`.
    public var line: String {
        if orgsOK.isEmpty, orgsFailing.isEmpty { return "no orgs configured" }
        var parts: [String] = []
        var health = "\(orgsOK.count) org\(orgsOK.count == 1 ? "" : "s") OK"
        if !orgsFailing.isEmpty {
            health += ", \(orgsFailing.count) failing (\(orgsFailing.joined(separator: ", ")))"
        }
        parts.append(health)
        if !massChanges.isEmpty {
            parts.append("MASS CHANGE, backup held: " + massChanges.joined(separator: ", "))
        }
        if !offsiteFailing.isEmpty {
            parts.append("OFF-SITE COPY FAILING: " + offsiteFailing.joined(separator: ", "))
        }
        if !offsiteCheckFailed.isEmpty {
            parts.append("OFF-SITE CHECK FAILED: " + offsiteCheckFailed.joined(separator: ", "))
        }
        if !downloads.isEmpty {
            parts.append("downloading " + downloads.map { d in
                let total = d.bytesTotal.map { "/" + Self.size($0) } ?? ""
                return "\(d.org) \(d.partsDone)/\(d.partsTotal) parts, \(Self.size(d.bytesDone))\(total)"
            }.joined(separator: "; "))
        }
        if let next = nextBackup {
            parts.append("next backup \(next.org) \(Self.timeFormatter.string(from: next.at)) UTC")
        }
        return parts.joined(separator: "; ")
    }

    private static func size(_ bytes: Int64) -> String {
        let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1_024)]
        for (unit, scale) in units where Double(bytes) >= scale {
            let value = Double(bytes) / scale
            return (value >= 10 || value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)) + unit
        }
        return "\(bytes)B"
    }

    private static let timeFormatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f
    }()
}
