import BackupArchive
import Foundation
import Logging
import Policy
import Reconcile
import Supervisor
import ZohoModel
import ZohoSimulator

/// The off-site benchmark's backups and the daemon's copies of them (bench/offsite.sh).
enum OffsiteSeries {
    /// A part read from the local file its `url` names.
    struct LocalParts: PartSource {
        func fetch(_ part: PartRef, from offset: Int64,
                   into sink: (Int64, Int64?, UnsafeRawBufferPointer) throws -> Void) async throws {
            try await DiffPair.LocalFile(path: part.url).fetch(part, from: offset, into: sink)
        }
    }

    /// Writes `count` weekly backups of about `mib` MiB each into `<dir>/archive` (org
    /// `bench`), as the daemon archives them: the simulator's default evolution (each week 2 %
    /// of records edited, 0.5 % added, 0.2 % deleted, 2 % more attachments; an unchanged
    /// attachment byte-identical), attachments about 90 % of the bytes in parts of at most
    /// 256 MiB. `rewrite`: every attachment's bytes new in every backup (the worst case).
    static func make(dir: String, count: Int, mib: Double, rewrite: Bool, logger: Logger) async throws {
        let cache = dir + "/content"
        let attachmentBytes = 512 * 1024
        let attachmentParts = max(1, Int((mib * 0.9 / 256).rounded(.up)))
        let attachments = max(1, Int(mib * 0.9 * 1_048_576 / Double(attachmentBytes)))
        // The data part at about 10 %: calibrated on a sample of the same generator.
        let sample = 2_000
        var probe = BackupContent(folder: cache, recordsPerModule: sample, attachmentsPerPart: 0, attachmentBytes: 0)
        var probeData = probe.dataset(seed: 42, attachmentParts: 0)
        probeData.takeBackup()
        let sampleSize = try ZohoLayoutPart.size(try probe.file(job: "probe", name: "Data_001.zip", dataParts: 1, attachmentParts: 0, dataset: probeData))
        probe.recordsPerModule = max(1, Int(mib * 0.1 * 1_048_576 / Double(sampleSize) * Double(sample)))

        var content = BackupContent(folder: cache, recordsPerModule: probe.recordsPerModule,
                                    attachmentsPerPart: (attachments + attachmentParts - 1) / attachmentParts, attachmentBytes: attachmentBytes)
        content.rewritesAttachments = rewrite
        var dataset = content.dataset(seed: 42, attachmentParts: attachmentParts)
        let folder = ArchiveFolder(path: dir + "/archive", org: "bench", minFree: ByteSize(bytes: 0), logger: logger)
        for week in 0..<count {
            dataset.takeBackup()
            let job = String(4_876_876_000_100 + week)
            let names = ["Data_001.zip"] + (1...attachmentParts).map { String(format: "Attachments_%03d.zip", $0) }
            let parts = try names.map { name in
                PartRef(fileName: name, url: try content.file(job: job, name: name, dataParts: 1, attachmentParts: attachmentParts, dataset: dataset))
            }
            let spec = JobSpec(org: "bench", jobID: job, zgid: nil, parts: parts,
                               completedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(week) * 604_800))
            _ = try await folder.archive(spec, from: LocalParts(), now: spec.completedAt)
            try? FileManager.default.removeItem(atPath: cache)
        }
    }

    /// Copies the newest backup of `<dir>/archive` not yet in `repository` as the daemon
    /// does (its worker's copy: repository id, snapshots by tag, `restic backup`), with the
    /// password in `passwordFile`. Prints the backup copied and the bytes restic added.
    static func copy(dir: String, repository: String, passwordFile: String, logger: Logger) async throws {
        let secrets = dir + "/credentials"
        try FileManager.default.createDirectory(atPath: secrets, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try? FileManager.default.removeItem(atPath: secrets + "/bench-restic")
        try FileManager.default.copyItem(atPath: passwordFile, toPath: secrets + "/bench-restic")
        chmod(secrets + "/bench-restic", 0o600)
        let text = """
            version: 1
            state_dir: \(dir)/state
            orgs:
              bench:
                data_center: us
                credentials: bench
                schedule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"
                timezone: UTC
                archive: { path: \(dir)/archive, min_free: 0 }
                offsite: { repository: "\(repository)", password_secret: bench-restic }

            """
        let policy = try PolicyLoader(environment: [:]).parse(text, file: dir + "/policy.yaml")
        let environment = SupervisorEnvironment(credentials: CredentialsLookup(environment: [:], directory: secrets), jitter: { 0 }, logger: logger)
        let state = dir + "/state/bench/offsite.json"
        func copies() -> [String: OffsiteState.Copy] {
            guard let data = FileManager.default.contents(atPath: state) else { return [:] }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return (try? decoder.decode(OffsiteState.self, from: data))?.copies ?? [:]
        }
        let before = copies()
        await Supervisor(policy: policy, environment: environment).copyOffsite(repository: repository)
        guard let made = copies().first(where: { before[$0.key] == nil })?.value else {
            throw BenchError(description: "no copy was made (see the log above)")
        }
        print(made.backup, made.bytesAdded ?? 0)
    }

    struct BenchError: Error, CustomStringConvertible { var description: String }
}
