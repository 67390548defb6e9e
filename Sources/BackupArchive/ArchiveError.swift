import Foundation

/// Every failure of the archive: what, for which org, job and file, and what to do.
public struct ArchiveError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; its raw value is the kind the supervisor reports it under.
    public enum Code: String, Sendable, Hashable {
        /// Less free space than the part needs plus `min_free`, or ENOSPC while writing.
        case diskFull
        /// The archive's file system is mounted read-only (EROFS).
        case readOnly
        /// The daemon's user may not write there (EACCES, EPERM).
        case permissionDenied
        /// Any other system error while reading or writing the archive.
        case io
        /// The links' set is not a complete, well-named set of parts.
        case incompleteParts
        /// A part is not a valid zip, or an entry's CRC or size is wrong.
        case corruptPart
        /// The source sent a different size than it announced.
        case sizeMismatch
        /// The part source failed (network, Zoho); `underlying` has its error.
        case sourceFailed
        /// Another process holds the org's lock.
        case busy
        /// A committed backup's files no longer match SHA256SUMS.
        case checksumMismatch
    }

    /// What kind of failure; the supervisor reports and counts it by this.
    public var code: Code
    /// The org whose archive failed (its name in the policy).
    public var org: String
    /// The Zoho backup job concerned; nil when the failure is not one job's (e.g. writing `.pruned.json`).
    public var jobID: String?
    /// The part file concerned (`Data_001.zip`, …); nil when the failure is not one file's.
    public var file: String?
    /// What happened, naming the path, sizes or system reason involved.
    public var detail: String
    /// What the admin should do, or what the daemon does by itself (reported as the hint).
    public var remedy: String
    /// The part source's own error, when `code` is `sourceFailed`.
    public var underlying: (any Error & Sendable)?

    /// Makes an error from its parts; `underlying` only for `sourceFailed`.
    public init(_ code: Code, org: String, jobID: String? = nil, file: String? = nil, detail: String,
                remedy: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.org = org
        self.jobID = jobID
        self.file = file
        self.detail = detail
        self.remedy = remedy
        self.underlying = underlying
    }

    /// `[acme] job 4876… Data_002.zip: <what>. <what to do>`
    public var description: String {
        var who = "[\(org)]"
        if let jobID { who += " job \(jobID)" }
        if let file { who += " \(file)" }
        let what = detail.hasSuffix(".") ? String(detail.dropLast()) : detail
        return "\(who): \(what). \(remedy)"
    }

    /// A fault a test injected at a point of the work on `path`: the error the system would give.
    static func injected(_ fault: InjectedFault, path: String, org: String, jobID: String?, file: String?) -> ArchiveError {
        io(fault.errno, path: path, doing: "work on (\(fault.point.rawValue))", org: org, jobID: jobID, file: file)
    }

    /// An error from writing or reading `path`, by errno.
    static func io(_ errno: Int32, path: String, doing what: String, org: String, jobID: String?, file: String?) -> ArchiveError {
        let reason = String(cString: strerror(errno))
        switch errno {
        case ENOSPC, EDQUOT:
            return ArchiveError(.diskFull, org: org, jobID: jobID, file: file, detail: "cannot \(what) \(path): \(reason)",
                                remedy: "Free space on that file system (or lower archive.keep); the download resumes where it stopped")
        case EROFS:
            return ArchiveError(.readOnly, org: org, jobID: jobID, file: file, detail: "cannot \(what) \(path): \(reason)",
                                remedy: "Mount the archive's file system read-write, or add it to ReadWritePaths= (README)")
        case EACCES, EPERM:
            return ArchiveError(.permissionDenied, org: org, jobID: jobID, file: file, detail: "cannot \(what) \(path): \(reason)",
                                remedy: "The archive folder must belong to the zoho-crm-backup user: chown -R zoho-crm-backup \(path.split(separator: "/").dropLast().joined(separator: "/").isEmpty ? path : "/" + path.split(separator: "/").dropLast().joined(separator: "/"))")
        default:
            return ArchiveError(.io, org: org, jobID: jobID, file: file, detail: "cannot \(what) \(path): \(reason)",
                                remedy: "Check the disk and the kernel log; the work is retried")
        }
    }
}
