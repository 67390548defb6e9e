import Foundation
import Policy
import Supervisor
import Systemd
import Testing
import TestSupport
import ZohoModel

/// The ransomware-safe S3 set-up: a key that may write but delete only restic's lock files
/// (the README's IAM policy, read from it; a key that can delete nothing cannot run restic). Copies go in; the
/// first retention is refused (after restic's own retries, once), the repository is then
/// known as append-only — one notice, no failure, no retention or prune tried again.
/// A suite of its own (its own moto) so restic's retries do not hold up the other S3 tests.
@Suite("Off-site, S3 without deletes (moto)",
       .enabled(if: ProcessInfo.processInfo.environment["ZCB_MOTO"] != nil, "make test runs it with moto from its venv (ZCB_MOTO)"))
struct OffsiteS3NoDeleteTests {
    @Test("an S3 key that may delete only lock files: copies succeed, the refused forget marks the repository append-only once, nothing is reported as failing")
    func keyWithoutDeletes() async throws {
        try await OffsiteS3Tests.withStore(offsite: ", keep: { last: 1, weekly: 0, monthly: 0, yearly: 0 }", policy: try OffsiteS3Tests.readmePolicy()) { store in
            let h = store.h
            let policy = try PolicyLoader(environment: [:]).parse(h.policyText(), file: h.folder + "/policy.yaml")
            let recorder = LogRecorder(), metrics = BackupMetrics()
            let supervisor = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger, metrics: metrics))
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 2)
            await supervisor.copyOffsiteUntilIdle()
            #expect(try store.snapshots().count == 2, "both copied; keep last 1 could not forget: \(recorder.all().suffix(4).map(\.message))")
            func notices() -> [String] { recorder.all().filter { $0.message.contains("is append-only") }.map(\.message) }
            #expect(notices().count == 1 && notices()[0].contains("refused restic's deletion") && notices()[0].contains("repository's owner"), "\(notices())")
            #expect(!recorder.all().contains { $0.metadata["message_id"] == MessageID.offsiteFailed.rawValue }, "not a failure")
            #expect(OffsiteCopyTests.offsiteFailures(metrics.render()) == nil)
            #expect(!recorder.all().contains { $0.message.contains("pruned") })

            // Days later: known, so neither retention nor prune is tried again, and nothing is said again.
            h.clock.advance(by: .seconds(2 * 86_400))
            let said = recorder.all().count
            await supervisor.copyOffsiteUntilIdle()
            #expect(notices().count == 1)
            #expect(!recorder.all().dropFirst(said).contains { $0.message.contains("pruned") || $0.message.contains("off-site retention") },
                    "\(recorder.all().dropFirst(said).map(\.message))")
        }
    }
}
