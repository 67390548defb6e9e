import Foundation
import FuzzTargets
import Testing
import TestSupport

/// Every committed fuzz input — the seed corpora and every crash found — through its parser,
/// without sanitizers: a regression on a known input fails `make test` (CI builds no fuzzer).
@Suite("Fuzz corpora and crash files, replayed")
struct FuzzReplayTests {
    static let fuzz = projectRoot + "/fuzz"

    /// The input files of a target: `fuzz/corpus/<name>/*` and `fuzz/crashes/<name>/*`.
    static func inputs(_ name: String) -> [String] {
        ["corpus", "crashes"].flatMap { kind -> [String] in
            let folder = "\(fuzz)/\(kind)/\(name)"
            return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().map { "\(folder)/\($0)" }
        }
    }

    @Test("every target has a seed corpus and a dictionary", arguments: FuzzTargets.all.keys.sorted())
    func corpusAndDictionary(_ name: String) {
        #expect(Self.inputs(name).count >= 3, "fuzz/corpus/\(name) holds seeds")
        #expect(FileManager.default.fileExists(atPath: "\(Self.fuzz)/dicts/\(name).dict"))
    }

    @Test("every corpus and crash file goes through its parser without a trap", arguments: FuzzTargets.all.keys.sorted())
    func replay(_ name: String) async throws {
        for path in Self.inputs(name) {
            await FuzzTargets.replay(name, try Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }
}
