import Foundation
import ZohoModel

/// A completed Zoho backup to bring home: its parts and what the manifest records.
public struct JobSpec: Sendable, Equatable, Codable {
    /// The org the backup belongs to (its name in the policy).
    public var org: String
    /// Zoho's id of the backup job; with `completedAt` it names the archive folder.
    public var jobID: String
    /// Zoho's org id from the links' path (`/crm/<zgid>/backup/…`); nil when unknown (the benchmark's jobs).
    public var zgid: String?
    /// Every part to download, as the links name them.
    public var parts: [PartRef]
    /// When the daemon first saw the links (the folder's name uses it).
    public var completedAt: Date
    /// The rule of the schedule that made it; nil for a one-off backup.
    public var rrule: String?
    /// What made it; nil when not known (a download begun before the manifest's format 2).
    public var kind: BackupKind?
    /// When the links stop working (about 7 days after completion); nil when Zoho gave no date.
    public var linksExpiry: Date?

    /// Makes a job from its parts; nothing is checked until ``checkComplete()``.
    public init(org: String, jobID: String, zgid: String?, parts: [PartRef], completedAt: Date,
                rrule: String? = nil, kind: BackupKind? = nil, linksExpiry: Date? = nil) {
        self.org = org
        self.jobID = jobID
        self.zgid = zgid
        self.parts = parts
        self.completedAt = completedAt
        self.rrule = rrule
        self.kind = kind
        self.linksExpiry = linksExpiry
    }

    /// The job from Zoho's links as the wire gave them (benchmarks, tests): each must parse;
    /// then as ``fromLinks(_:org:completedAt:rrule:linksExpiry:)-([DownloadLink],…)``.
    public static func fromLinks(_ links: [String], org: String, completedAt: Date, rrule: String? = nil,
                                 linksExpiry: Date? = nil) throws(ArchiveError) -> JobSpec {
        var parsed: [DownloadLink] = []
        for link in links {
            guard let part = DownloadLink(link) else {
                throw ArchiveError(.incompleteParts, org: org, detail: "a link is not a backup part link: \(link.prefix(200))",
                                   remedy: "Nothing was archived for this job; if Zoho changed its link format, report it")
            }
            parsed.append(part)
        }
        return try fromLinks(parsed, org: org, completedAt: completedAt, rrule: rrule, linksExpiry: linksExpiry)
    }

    /// The job from Zoho's links: every link must be a part of the same job, named
    /// `Data_NNN.zip`/`Attachments_NNN.zip`, numbered 1…n for each kind with no gap or duplicate.
    public static func fromLinks(_ parsed: [DownloadLink], org: String, completedAt: Date, rrule: String? = nil,
                                 kind: BackupKind? = nil, linksExpiry: Date? = nil) throws(ArchiveError) -> JobSpec {
        guard let first = parsed.first else {
            throw ArchiveError(.incompleteParts, org: org, detail: "Zoho listed no parts", remedy: "The daemon looks again at the next poll")
        }
        guard parsed.allSatisfy({ $0.jobID == first.jobID && $0.zgid == first.zgid }) else {
            throw ArchiveError(.incompleteParts, org: org, jobID: first.jobID,
                               detail: "the links belong to more than one job (\(Set(parsed.map(\.jobID)).sorted().joined(separator: ", ")))",
                               remedy: "Nothing was archived; the daemon looks again at the next poll")
        }
        let spec = JobSpec(org: org, jobID: first.jobID, zgid: first.zgid,
                           parts: parsed.map { PartRef(fileName: $0.fileName, url: $0.url) },
                           completedAt: completedAt, rrule: rrule, kind: kind, linksExpiry: linksExpiry)
        try spec.checkComplete()
        return spec
    }

    /// Throws unless the parts are a complete, well-named set (at least one data part).
    public func checkComplete() throws(ArchiveError) {
        var numbers: [DownloadLink.Kind: [Int]] = [:]
        for part in parts {
            guard let (kind, number) = DownloadLink.parseFileName(part.fileName) else {
                throw ArchiveError(.incompleteParts, org: org, jobID: jobID, file: part.fileName,
                                   detail: "'\(part.fileName)' is not Data_NNN.zip or Attachments_NNN.zip", remedy: "Nothing was archived for this job")
            }
            numbers[kind, default: []].append(number)
        }
        for (kind, list) in numbers {
            let sorted = list.sorted()
            if Set(sorted).count != sorted.count {
                throw ArchiveError(.incompleteParts, org: org, jobID: jobID, detail: "a \(kind.rawValue) part is listed twice",
                                   remedy: "Nothing was archived for this job; it is reported, not archived as complete")
            }
            if sorted != Array(1...sorted.count) {
                let missing = Set(1...(sorted.last ?? 1)).subtracting(sorted).sorted().map { String(format: "%@_%03d.zip", kind.rawValue, $0) }
                throw ArchiveError(.incompleteParts, org: org, jobID: jobID,
                                   detail: "the parts have a gap: \(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") missing",
                                   remedy: "Nothing was archived for this job; it is reported, not archived as complete")
            }
        }
        guard numbers[.data]?.isEmpty == false else {
            throw ArchiveError(.incompleteParts, org: org, jobID: jobID, detail: "no Data_NNN.zip part is listed",
                               remedy: "Nothing was archived for this job")
        }
    }
}
