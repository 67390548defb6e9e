import Crypto
import Foundation
import Glibc
import ZohoModel

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
            // A manifest is a file on disk like any other: its names are checked before any is opened.
            guard DownloadLink.parseFileName(file.name) != nil else {
                problems.append("manifest.json names '\(file.name.prefix(200))', which is not a part file (Data_NNN.zip or Attachments_NNN.zip); it was not opened")
                continue
            }
            let path = backup.folder + "/" + file.name
            let digest: String
            switch Self.sha256(of: path) {
            case .success(let value): digest = value
            case .failure(let why):
                problems.append("\(file.name): \(why.text)")
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

    /// Why a part file could not be hashed.
    struct Unreadable: Error {
        var text: String
    }

    /// SHA-256 of a regular file, read in 1 MiB pieces. Never follows a symbolic link and never
    /// waits on a FIFO or device (`O_NOFOLLOW | O_NONBLOCK`, then a regular-file check).
    static func sha256(of path: String) -> Result<String, Unreadable> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            return .failure(Unreadable(text: code == ELOOP ? "is a symbolic link; not followed" : "missing or unreadable (\(String(cString: strerror(code))))"))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            return .failure(Unreadable(text: "is not a regular file; not read"))
        }
        var hasher = SHA256()
        guard case .success = FileDigest.update(&hasher, readingFrom: fd) else {
            return .failure(Unreadable(text: "could not be read to the end (\(String(cString: strerror(errno))))"))
        }
        return .success(FileDigest.hex(hasher))
    }
}
