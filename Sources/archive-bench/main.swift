// archive-bench: runs the archive's own code paths on one zip part, for bench/download.sh.
// Not installed; not a test. It prints the elapsed seconds on stdout.
//
//   archive-bench download URL DIR     download + SHA-256 + fsync + rename (what `run` does
//                                      before verification), into DIR
//   archive-bench verify FILE [N]      zip verification with N parallel tasks (default: cores)
//   archive-bench job URL DIR          the whole job as `run` does it: download, hash, verify,
//                                      SHA256SUMS and manifest, commit
//   archive-bench zoho BASE DIR        the whole job from `zoho-crm-backup simulator` at BASE, through
//                                      the Zoho client (OAuth, API calls, link checks) as `run` does
//   archive-bench job-noindex URL DIR  the whole job without the record index (the comparison)
//   archive-bench index FILE           zip verification with the index's tap, one task (compare: verify FILE 1)
//   archive-bench diff-pair DIR N      an archive in DIR/archive with two backups of N Contacts records (the
//                                      second a week of edits, adds and deletes later), their parts in DIR
//   archive-bench offsite-series DIR COUNT MIB [rewrite]
//                                      COUNT weekly backups of about MIB MiB in DIR/archive (the simulator's
//                                      evolution, attachments ~90 %; rewrite: every attachment new each week)
//   archive-bench offsite-copy DIR REPO PASSWORD_FILE
//                                      the daemon's copy of DIR/archive's newest backup not yet in REPO
//   archive-bench make-part OUT MIB    a data part of about MIB MiB in Zoho's layout (Data/<Module>_NNN.csv,
//                                      unique ids) from the simulator's content generator; prints its records
import AsyncHTTPClient
import BackupArchive
import Foundation
import Glibc
import Logging
import NIOCore
import Supervisor
import ZohoAPI
import ZohoModel
import ZohoSimulator

/// A plain-HTTP part source (the bench serves the file with nginx, without OAuth).
struct PlainHTTPSource: PartSource {
    let client: HTTPClient

    func fetch(_ part: PartRef, from offset: Int64,
               into sink: (Int64, Int64?, UnsafeRawBufferPointer) throws -> Void) async throws {
        var request = HTTPClientRequest(url: part.url)
        if offset > 0 { request.headers.add(name: "Range", value: "bytes=\(offset)-") }
        let response = try await client.execute(request, timeout: .hours(1))
        let start: Int64 = response.status == .partialContent ? offset : 0
        let length = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
        for try await chunk in response.body {
            try chunk.withUnsafeReadableBytes { try sink(start, length.map { $0 + start }, $0) }
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

let args = Array(CommandLine.arguments.dropFirst())
guard let mode = args.first else { fail("usage: archive-bench download|verify|job …") }
let clock = ContinuousClock()
let started = clock.now
let logger = Logger(label: "archive-bench")

switch mode {
case "verify":
    guard args.count >= 2 else { fail("usage: archive-bench verify FILE [N]") }
    let parallel = args.count > 2 ? Int(args[2]) ?? 1 : ProcessInfo.processInfo.activeProcessorCount
    do {
        let summary = try await ZipVerifier.verify(path: args[1], parallelism: parallel)
        FileHandle.standardError.write(Data("verified \(summary.entries) entries, \(summary.uncompressedBytes) bytes\n".utf8))
    } catch {
        fail("verify failed: \(error)")
    }
case "index":
    // Verification with the index's tap, one lane: what indexing adds to `verify FILE 1`.
    guard args.count >= 2 else { fail("usage: archive-bench index FILE") }
    let folder = NSTemporaryDirectory() + "zcb-bench-index-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    do {
        let indexer = try PartIndexer(folder: folder, part: "Data_001.zip")
        _ = try await ZipVerifier.verify(path: args[1], parallelism: 1, tap: indexer)
        try indexer.seal()
    } catch {
        fail("index failed: \(error)")
    }
case "make-part":
    guard args.count == 3, let mib = Double(args[2]) else { fail("usage: archive-bench make-part OUT MIB") }
    do {
        let records = try ZohoLayoutPart.make(out: args[1], mib: mib)
        print(records)
        exit(0)
    } catch {
        fail("make-part failed: \(error)")
    }
case "diff-pair":
    guard args.count == 3, let records = Int(args[2]) else { fail("usage: archive-bench diff-pair DIR RECORDS") }
    do {
        try await DiffPair.make(dir: args[1], records: records, logger: logger)
        exit(0)
    } catch {
        fail("diff-pair failed: \(error)")
    }
case "offsite-series":
    guard args.count >= 4, let count = Int(args[2]), let mib = Double(args[3]) else { fail("usage: archive-bench offsite-series DIR COUNT MIB [rewrite]") }
    do {
        try await OffsiteSeries.make(dir: args[1], count: count, mib: mib, rewrite: args.dropFirst(4).contains("rewrite"), logger: logger)
    } catch {
        fail("offsite-series failed: \(error)")
    }
case "offsite-copy":
    guard args.count == 4 else { fail("usage: archive-bench offsite-copy DIR REPOSITORY PASSWORD_FILE") }
    do {
        try await OffsiteSeries.copy(dir: args[1], repository: args[2], passwordFile: args[3], logger: logger)
    } catch {
        fail("offsite-copy failed: \(error)")
    }
case "download", "job", "job-noindex":
    guard args.count == 3 else { fail("usage: archive-bench \(mode) URL DIR") }
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    let source = PlainHTTPSource(client: client)
    var folder = ArchiveFolder(path: args[2], org: "bench", minFree: ByteSize(bytes: 0), logger: logger)
    folder.indexing = mode == "job"
    let job = JobSpec(org: "bench", jobID: "\(getpid())\(Int(Date().timeIntervalSince1970))", zgid: nil,
                      parts: [PartRef(fileName: "Data_001.zip", url: args[1])], completedAt: Date())
    do {
        if mode.hasPrefix("job") {
            _ = try await folder.archive(job, from: source, now: Date())
        } else {
            _ = try await folder.downloadOnly(job, from: source)
        }
    } catch {
        try? await client.shutdown().get()
        fail("\(mode) failed: \(error)")
    }
    try? await client.shutdown().get()
case "zoho":
    guard args.count == 3 else { fail("usage: archive-bench zoho BASE DIR") }
    let base = args[1]
    let defaults = SimulatorConfig()
    let transport = AHCTransport(client: ZohoHTTPClient.shared)
    let tokens = TokenProvider(org: "bench", credentials: OAuthCredentials(clientID: defaults.clientID, clientSecret: defaults.clientSecret,
                                                                          refreshToken: defaults.refreshToken),
                               accountsURL: base, cacheDirectory: nil, transport: transport, clock: SystemWallClock(), logger: logger)
    let client = ZohoClient(org: "bench", endpoints: ZohoEndpoints(accounts: base, api: base, downloadHosts: [String(base.dropFirst("http://".count))]),
                            tokens: tokens, transport: transport, clock: SystemWallClock(), logger: logger)
    do {
        _ = try await client.schedule(nil)
        var urls = try await client.downloadURLs()
        while urls == nil {
            try await Task.sleep(for: .milliseconds(20))
            urls = try await client.downloadURLs()
        }
        let job = try JobSpec.fromLinks(urls?.allLinks ?? [], org: "bench", completedAt: Date(), linksExpiry: urls?.expiryDate)
        let folder = ArchiveFolder(path: args[2], org: "bench", minFree: ByteSize(bytes: 0), logger: logger)
        _ = try await folder.archive(job, from: ZohoPartSource(client: client), now: Date())
    } catch {
        fail("zoho failed: \(error)")
    }
default:
    fail("unknown mode \(mode)")
}
let elapsed = clock.now - started
print(String(format: "%.3f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
