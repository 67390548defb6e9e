import BackupArchive
import Foundation
import Offsite

extension OffsiteRepository {
    /// What `restore --from-offsite` brought back.
    public struct Restored: Sendable, Encodable {
        public var snapshot: String
        public var org: String
        public var backup: String
        public var job_id: String
        /// The folder the backup's files are in now.
        public var to: String
        /// Every file, with its size: the parts, `manifest.json`, `SHA256SUMS` and the index.
        public var files: [File]

        public struct File: Sendable, Encodable {
            public var name: String
            public var bytes: Int64
        }
    }

    /// The files a backup folder holds besides its parts.
    static let folderFiles: Set<String> = ["manifest.json", "SHA256SUMS", "index"]

    /// Restores `snapshot` with restic into a temporary folder inside `dir`, checks every part
    /// against the manifest's size and SHA-256 (and that nothing else came with it), then moves
    /// the files into `dir`: the backup folder as it was archived, byte for byte.
    /// `dir` must be new or empty unless `force`.
    public func restore(_ snapshot: OffsiteSnapshot, to dir: String, force: Bool) async throws(OffsiteCommandError) -> Restored {
        let fm = FileManager.default
        let temp = dir + "/.offsite-restore"
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if fm.fileExists(atPath: temp) { try fm.removeItem(atPath: temp) }   // a restore that was stopped
            let present = try fm.contentsOfDirectory(atPath: dir)
            guard present.isEmpty || force else {
                throw OffsiteCommandError("\(dir) is not empty: restore into a new or empty folder (or add --force to write over what is there)")
            }
        } catch let error as OffsiteCommandError {
            throw error
        } catch {
            throw OffsiteCommandError("\(dir): \(error.localizedDescription)")
        }
        defer { try? fm.removeItem(atPath: temp) }
        // The daemon's check or prune holds the repository exclusively for a while: wait for it
        // (up to three minutes) rather than fail the admin's restore.
        var waited = 0
        while true {
            do {
                try await restic.restore(snapshot.id, to: temp)
                break
            } catch where error.kind == .locked && waited < 180 {
                try? await Task.sleep(for: .seconds(5))
                waited += 5
                try? fm.removeItem(atPath: temp)
            } catch {
                throw OffsiteCommandError(error, repository: shown)
            }
        }

        let source = temp + "/" + snapshot.backup
        guard !snapshot.backup.isEmpty, let backup = ArchivedBackup(path: source), backup.manifest.jobID == snapshot.job_id else {
            throw OffsiteCommandError("snapshot \(snapshot.short_id) does not hold the backup folder \(snapshot.backup) with its manifest.json of job \(snapshot.job_id); nothing was restored")
        }
        do { try Restore.verifyParts(backup) } catch {
            throw OffsiteCommandError("snapshot \(snapshot.short_id): \(error.description.replacingOccurrences(of: temp + "/", with: "")) — the copy in the repository is damaged; run `restic check --read-data` on it and restore another snapshot")
        }
        let names = ((try? fm.contentsOfDirectory(atPath: source)) ?? []).sorted()
        for name in names {
            var info = stat()
            guard lstat(source + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                throw OffsiteCommandError("snapshot \(snapshot.short_id): \(name) is not a regular file (a link or a folder); nothing was restored")
            }
        }
        let expected = Set(backup.manifest.files.map(\.name)).union(Self.folderFiles)
        let unexpected = names.filter { !expected.contains($0) }
        guard unexpected.isEmpty else {
            throw OffsiteCommandError("snapshot \(snapshot.short_id) holds files its manifest does not list (\(unexpected.joined(separator: ", "))); nothing was restored")
        }
        var files: [Restored.File] = []
        for name in names {
            let target = dir + "/" + name
            if force { try? fm.removeItem(atPath: target) }
            guard rename(source + "/" + name, target) == 0 else {
                throw OffsiteCommandError("\(target): cannot be written (\(String(cString: strerror(errno))))")
            }
            chmod(target, 0o600)
            let size = (try? fm.attributesOfItem(atPath: target)[.size] as? NSNumber)?.int64Value ?? 0
            files.append(Restored.File(name: name, bytes: size))
        }
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
        return Restored(snapshot: snapshot.short_id, org: snapshot.org, backup: snapshot.backup, job_id: snapshot.job_id, to: dir, files: files)
    }
}
