import Foundation
import Testing

/// `run` makes its process not dumpable before it reads a secret (no core dump can hold it).
@Suite("Process hardening")
struct ProcessHardeningTests {
    @Test("forbidCoreDumps makes a dumpable process not dumpable (in a process of its own)")
    func notDumpable() throws {
        let r = try Run.probe(["not-dumpable"], environment: [:])
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("dumpable before=true accepted=true after=false"), "\(r.stdout)")
    }
}
