import Crypto
import Foundation
import Glibc

extension ArchiveFolder {
    /// The outcome of re-checking one archived backup.
    public struct VerifyReport: Sendable, Equatable {
        /// The backup's folder name in the archive.
        public var backup: String
        /// Zoho's id of the job, from the backup's manifest.
        public var jobID: String
        /// One line per problem, naming the file; empty when the backup is intact.
        public var problems: [String]
        /// How many files the manifest lists (each one was checked).
        public var filesChecked: Int
        /// Whether the backup is intact: no problem found.
        public var ok: Bool { problems.isEmpty }
    }

    /// Re-reads every file of `backup`: SHA-256 against `SHA256SUMS` (and the manifest) and
    /// every zip entry's CRC-32. Changes nothing.
    public func verify(_ backup: ArchivedBackup) async -> VerifyReport {
        var problems: [String] = []
        let sumsText = (try? String(contentsOfFile: backup.folder + "/SHA256SUMS", encoding: .utf8)) ?? ""
        var sums: [String: String] = [:]
        for line in sumsText.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { sums[String(parts[1].drop { $0 == " " || $0 == "*" })] = String(parts[0]) }
        }
        if sums.isEmpty { problems.append("SHA256SUMS: missing or empty") }
        for file in backup.manifest.files {
            let path = backup.folder + "/" + file.name
            guard let digest = Self.sha256(of: path) else {
                problems.append("\(file.name): missing or unreadable")
                continue
            }
            if digest != file.sha256 || (sums[file.name].map { $0 != digest } ?? true) {
                problems.append("\(file.name): SHA-256 \(digest) does not match \(sums[file.name] ?? file.sha256)")
                continue
            }
            do {
                _ = try await ZipVerifier.verify(path: path, parallelism: verifyParallelism, lanes: lanes, checker: checker)
            } catch {
                problems.append("\(file.name): \(error.description)")
            }
        }
        return VerifyReport(backup: backup.name, jobID: backup.manifest.jobID, problems: problems, filesChecked: backup.manifest.files.count)
    }

    /// SHA-256 of a file, read in 1 MiB pieces; nil when it cannot be read.
    static func sha256(of path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var hasher = SHA256()
        guard case .success = FileDigest.update(&hasher, readingFrom: fd) else { return nil }
        return FileDigest.hex(hasher)
    }
}
