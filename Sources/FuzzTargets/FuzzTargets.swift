import BackupArchive
import Foundation
import Policy
import ZohoAPI
import ZohoModel

/// One function per parser that reads what someone else wrote — Zoho's answers, a part's zip
/// directory, the policy file, an RRULE, a link, an HTTP header — taking raw bytes and never
/// trapping. The libFuzzer executables in `fuzz/` call these under AddressSanitizer; the
/// replay test calls them on every committed corpus and crash file.
public enum FuzzTargets {
    /// The targets by name, as `fuzz/corpus/<name>/` and `fuzz/dicts/<name>.dict` name them.
    public static let all: [String: @Sendable (Data) -> Void] = [
        "zip": zip, "policy": policy, "rrule": rrule, "wire": wire, "link": link, "headers": headers, "csv": csv,
    ]

    /// A part file: written to a temporary file, then its zip directory read and every entry
    /// inflated and checked, as the archive verifies a downloaded part. Blocks its thread
    /// until done: for libFuzzer's own thread only (``replay(_:_:)`` awaits instead).
    public static func zip(_ data: Data) {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await verifyZip(data)
            done.signal()
        }
        done.wait()
    }

    static func verifyZip(_ data: Data) async {
        let path = NSTemporaryDirectory() + "zcb-fuzz-zip-\(getpid())-\(UUID().uuidString)"
        guard (try? data.write(to: URL(fileURLWithPath: path))) != nil else { return }
        defer { unlink(path) }
        _ = try? await ZipVerifier.verify(path: path, parallelism: 1)
    }

    /// Runs target `name` on `data` without blocking a thread of Swift's cooperative pool
    /// (the replay test runs beside other tests on it).
    public static func replay(_ name: String, _ data: Data) async {
        if name == "zip" { return await verifyZip(data) }
        all[name]?(data)
    }

    /// A policy file's text.
    public static func policy(_ data: Data) {
        guard let text = String(data: data, encoding: .utf8) else { return }
        _ = try? PolicyLoader(environment: [:], systemTimeZone: TimeZone(identifier: "UTC")!).parse(text, file: "fuzz.yaml")
    }

    /// An RRULE as the policy or Zoho writes it, and its next occurrences.
    public static func rrule(_ data: Data) {
        guard let text = String(data: data, encoding: .utf8), let rule = try? RRule(parsing: text, requirePrefix: false) else { return }
        _ = rule.normalized
        _ = rule.nextOccurrence(after: Date(timeIntervalSince1970: 1_800_000_000), anchor: Date(timeIntervalSince1970: 1_790_000_000),
                                timeZone: TimeZone(identifier: "Asia/Kolkata")!)
    }

    /// Zoho's JSON answers: a job, the links, a history page, an action response, an error.
    public static func wire(_ data: Data) {
        _ = try? ZohoEnvelope.decode(BackupWrapper<BackupJob>.self, from: data, org: "fuzz", operation: .backupInfo)
        _ = try? ZohoEnvelope.decode(URLsWrapper.self, from: data, org: "fuzz", operation: .downloadURLs)
        _ = try? ZohoEnvelope.decode(BackupHistoryPage.self, from: data, org: "fuzz", operation: .history)
        _ = ZohoEnvelope.actionResponse(in: data)
        _ = ZohoEnvelope.error(status: 400, body: data, org: "fuzz", operation: .schedule, retryAfter: nil)
    }

    /// A download link.
    public static func link(_ data: Data) {
        guard let text = String(data: data, encoding: .utf8), let link = DownloadLink(text) else { return }
        _ = LinkGuard(allowedHosts: ["download-accl.zoho.com", "127.0.0.1:8080"]).check(link.url)
    }

    /// `Content-Range` (206 and 416 forms) and `Retry-After` (seconds or an HTTP date).
    public static func headers(_ data: Data) {
        guard let text = String(data: data, encoding: .utf8) else { return }
        _ = ContentRange.parse(text)
        _ = ContentRange.unsatisfiedTotal(text)
        _ = RetryAfter.read(text, now: 1_800_000_000)
    }

    /// A CSV file as a backup's zip holds it, fed to the reader in pieces whose size the
    /// first byte picks (the seams between the inflater's chunks must not matter).
    public static func csv(_ data: Data) {
        guard let first = data.first else { return }
        let chunk = Int(first % 17) + 1
        let bytes = [UInt8](data.dropFirst())
        let (collected, reader) = CSVRowCollector.read(bytes, chunk: chunk, maxFieldBytes: 4_096)
        precondition(collected.rows.count == reader.rows, "every row the reader counts reaches its sink")
    }
}
