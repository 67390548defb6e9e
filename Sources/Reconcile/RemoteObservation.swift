import Foundation
import ZohoModel

/// What one look at Zoho showed: `GET /backup` and `GET /backup/urls`, and when.
public struct RemoteObservation: Codable, Sendable, Equatable {
    /// The latest backup or schedule; nil when Zoho answered 204 (none ever made).
    public var job: BackupJob?
    /// The links of the latest completed backup; nil when Zoho answered 204.
    public var urls: BackupURLs?
    /// When the observation was made (UTC).
    public var observedAt: Date

    /// Makes an observation of Zoho made at `observedAt`.
    public init(job: BackupJob?, urls: BackupURLs?, observedAt: Date) {
        self.job = job
        self.urls = urls
        self.observedAt = observedAt
    }

    /// The job id of the links (the path segment in `/backup/{job-id}/Data_001.zip`), when
    /// every link parses and names the same job.
    public var linksJobID: String? {
        guard let urls, urls.unreadableLinks.isEmpty else { return nil }
        let ids = Set(urls.links.map(\.jobID))
        return ids.count == 1 ? ids.first : nil
    }
}

extension RemoteObservation {
    /// What is wrong with links that are there but name no single job (nil when they are
    /// readable, or when there are none).
    public var linksProblem: LinksProblem? {
        guard let urls else { return nil }
        if !urls.unreadableLinks.isEmpty { return .notUnderstood(urls.unreadableLinks) }
        let ids = Set(urls.links.map(\.jobID))
        return ids.count > 1 ? .severalJobs(ids.sorted()) : nil
    }
}

/// Why Zoho's download links cannot be used.
public enum LinksProblem: Sendable, Equatable, CustomStringConvertible {
    /// Links not of the documented shape `{host}/v2/crm/{zgid}/backup/{job}/{Data|Attachments}_NNN.zip`.
    case notUnderstood([String])
    /// Links of one backup that name different job ids.
    case severalJobs([String])

    /// The sentence reported for the org: how many links, which shape was expected.
    public var description: String {
        switch self {
        case .notUnderstood(let links):
            let shown = links.prefix(3).map { "'\($0.prefix(200))'" }.joined(separator: ", ")
            return "\(links.count) link\(links.count == 1 ? " is" : "s are") not of the shape {host}/v2/crm/{zgid}/backup/{job}/Data_NNN.zip or Attachments_NNN.zip: \(shown)\(links.count > 3 ? ", …" : "")"
        case .severalJobs(let ids):
            return "the links of one backup name \(ids.count) different jobs: \(ids.prefix(5).joined(separator: ", "))"
        }
    }
}

extension BackupJob {
    /// True when this is a recurring schedule still in force: it has an rrule, and it is
    /// waiting for or running an occurrence (a finished rule, `COUNT` used up, shows no
    /// `scheduled_date`; a cancelled one is `STOPPED`).
    public var isActiveRecurring: Bool {
        guard rrule != nil, status != .stopped else { return false }
        return status == .scheduled || status == .inProgress || scheduledDate != nil
    }

    /// True when this is a one-off backup (no rrule: `now` or Zoho's UI) not yet finished.
    public var isPendingImmediate: Bool {
        rrule == nil && (status == .scheduled || status == .inProgress)
    }
}
