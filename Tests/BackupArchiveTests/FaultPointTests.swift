import BackupArchive
import Foundation
import Testing

/// The named fault points are one list: the README's test-hook paragraph names exactly them,
/// and the environment hook accepts only them.
@Suite("Fault points")
struct FaultPointTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md").path

    @Test("the README's test-hook paragraph lists every FaultPoint, and nothing else")
    func readmeListsEveryPoint() throws {
        let text = try String(contentsOfFile: Self.readme, encoding: .utf8)
        let start = try #require(text.range(of: "Test hook (for crash tests only)"))
        let paragraph = String(text[start.lowerBound...]).components(separatedBy: "\n\n").first ?? ""
        let regex = try NSRegularExpression(pattern: "`([a-z]+\\.[a-zA-Z]+)`")
        let range = NSRange(paragraph.startIndex..., in: paragraph)
        let named = Set(regex.matches(in: paragraph, range: range).compactMap { Range($0.range(at: 1), in: paragraph).map { String(paragraph[$0]) } })
        #expect(named == Set(FaultPoint.allCases.map(\.rawValue)))
    }

    @Test("the environment hook: a known point, a count, a hold; an unknown point injects nothing")
    func environmentHook() throws {
        let variable = FaultPoints.environmentVariable
        // A debug build (the tests') obeys without the second switch.
        #expect(FaultPoints.hooksEnabled([:]))
        let unknown = FaultPoints.fromEnvironment([variable: "no.suchPoint"])
        for point in FaultPoint.allCases { #expect(throws: Never.self) { try unknown.injected(point) } }
        let file = NSTemporaryDirectory() + "zcb-hold-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: file, contents: nil)
        defer { unlink(file) }
        let hold = FaultPoints.fromEnvironment([variable: "hold:verify.entry:\(file)"])
        #expect(throws: Never.self) { try hold.injected(.verifyEntry) }   // released already: returns at once
    }

    @Test("a hook's error comes back naming the point, as the system error it stands for")
    func injectedFaultNamesThePoint() {
        let faults = FaultPoints { if $0 == .partMidStream { throw FaultPoints.SystemError(ENOSPC) } }
        #expect(throws: InjectedFault.self) { try faults.injected(.partMidStream) }
        do { try faults.injected(.partMidStream) } catch {
            #expect(error.point == .partMidStream && error.errno == ENOSPC)
            #expect(error.description.contains("part.midStream"))
        }
    }
}
