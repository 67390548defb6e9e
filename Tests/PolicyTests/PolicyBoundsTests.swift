import Foundation
@testable import Policy
import Testing

/// A policy file cannot make `check` or a reload take unbounded time or memory: anchors and
/// aliases are refused before anything is expanded, orgs and diagnostics are capped, and the
/// archive-path check is O(n log n).
@Suite("Policy reader bounds")
struct PolicyBoundsTests {
    let loader = PolicyLoader(environment: [:], systemTimeZone: TimeZone(identifier: "UTC")!)

    func problems(_ yaml: String) -> PolicyError? {
        do {
            _ = try loader.parse(yaml, file: "policy.yaml")
            return nil
        } catch {
            return error
        }
    }

    /// Each level aliases the one before it ten times: walked, the last level is 10⁹ nodes.
    static let aliasBomb = """
        version: 1
        orgs:
          acme:
            data_center: us
            credentials: acme
            schedule: none
            labels:
              l0: &l0 [x, x, x, x, x, x, x, x, x, x]
              l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]
              l2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]
              l3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]
              l4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]
              l5: &l5 [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]
              l6: &l6 [*l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5]
              l7: &l7 [*l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6]
              l8: &l8 [*l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7]
            ? *l8
            : 1

        """

    @Test("an alias bomb is refused at its first anchor, with its position, before anything is expanded")
    func aliasesRefused() throws {
        let error = try #require(problems(Self.aliasBomb))
        #expect(error.diagnostics.count == 1, "one problem, not one per expansion: \(error)")
        #expect(error.description.hasPrefix("policy.yaml:8:11: YAML anchors and aliases (&l0) are not accepted"), "\(error)")
        #expect(error.description.contains("`defaults:`"))
    }

    @Test("the scan finds anchors and aliases where a node starts, and nothing in text, quotes, comments or block scalars", arguments: [
        ("a: &x 1", "x@1:4"),
        ("a: *x", "*x@1:4"),
        ("- &item\n  b: 1", "item@1:3"),
        ("a: [1, *x]", "*x@1:8"),
        ("a: {b: &y 2}", "y@1:8"),
        ("? &k key\n: 1", "k@1:3"),
        ("a: !!str &t v", "t@1:10"),
        ("a: [1,\n  *x]", "*x@2:3"),
        ("a: Tom & Jerry", nil),
        ("a: b*c", nil),
        ("a: \"&x\"", nil),
        ("a: '*x' # &y", nil),
        ("a: 'it''s &x'", nil),
        ("a: \"multi\n  &line\"", nil),
        ("a: |\n  &x text\n  *y\nb: 1", nil),
        ("a: >-\n  &x\nb: &z 1", "z@3:4"),
        ("# &x comment\na: 1", nil),
    ] as [(String, String?)])
    func scan(_ yaml: String, _ expected: String?) {
        let found = AnchorScan.first(in: yaml).map { "\($0.isAlias ? "*" : "")\($0.name)@\($0.line):\($0.column)" }
        #expect(found == expected, "\(yaml)")
    }

    @Test("2,000 orgs sharing one archive: 100 problems shown, then 'and N more'")
    func diagnosticsCapped() throws {
        var yaml = "version: 1\norgs:\n"
        for i in 0..<2_000 {
            yaml += "  org\(i): {data_center: us, credentials: c\(i), schedule: none, archive: {path: /srv/zoho/shared}}\n"
        }
        let error = try #require(problems(yaml))
        #expect(error.diagnostics.count == PolicyLoader.shownAtMost + 1)
        #expect(error.total == 1_999, "each org after the first overlaps the one before it, once")
        #expect(error.diagnostics.last?.description == "policy.yaml: and 1899 more problems (the first 100 are shown)")
    }

    @Test("more than 10,000 orgs are refused at the orgs key")
    func orgsCapped() throws {
        var yaml = "version: 1\norgs:\n"
        for i in 0...PolicyReader.maxOrgs { yaml += "  o\(i): {}\n" }
        let error = try #require(problems(yaml))
        #expect(error.diagnostics.count == 1)
        #expect(error.description.contains("at most 10000 orgs in one policy, got 10001"), "\(error)")
    }

    @Test("the archive-path check is O(n log n): comparisons counted for 1,000 to 16,000 orgs", arguments: [1_000, 4_000, 16_000])
    func pathCheckIsNLogN(_ n: Int) {
        let paths = (0..<n).map { "/srv/zoho/org\(String($0 * 7_919 % n))" }
        var comparisons = 0
        let found = PolicyReader.overlaps(paths, comparisons: &comparisons)
        #expect(found.isEmpty)
        let bound = 3 * Double(n) * log2(Double(n))
        #expect(Double(comparisons) <= bound, "\(comparisons) comparisons for \(n) paths; n log n bound \(Int(bound)) (pairwise would be \(n * (n - 1) / 2))")
    }

    @Test("overlaps: equal and nested paths are found against the nearest enclosing one; siblings sharing a prefix are not")
    func overlapPairs() {
        var count = 0
        let paths = ["/srv/a", "/srv/ab", "/srv/a/b", "/srv/a", "/srv/c", "/"]
        let pairs = PolicyReader.overlaps(paths, comparisons: &count).map { "\(paths[$0.0])#\($0.0) in \(paths[$0.1])#\($0.1)" }.sorted()
        #expect(pairs == ["/srv/a#0 in /#5", "/srv/a#3 in /srv/a#0", "/srv/a/b#2 in /srv/a#3", "/srv/ab#1 in /#5", "/srv/c#4 in /#5"], "\(pairs)")
    }
}
