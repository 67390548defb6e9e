import BackupArchive
import Testing

/// The CSV reader on the quoting cases of RFC 4180 and of Zoho's exports, each input fed
/// whole, a byte at a time and three bytes at a time: the seams between feeds change nothing.
@Suite("CSV reader")
struct CSVReaderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: String
        var rows: [[String]]
        var lines: [Int]? = nil
        var problem: String? = nil
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "plain rows", input: "a,b\n1,2\n", rows: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        Case(name: "a byte-order mark and no final line break", input: "\u{FEFF}a,b\n1,2", rows: [["a", "b"], ["1", "2"]]),
        Case(name: "CRLF line ends", input: "a,b\r\n1,2\r\n", rows: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        Case(name: "CR line ends", input: "a,b\r1,2\r", rows: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        Case(name: "a comma inside quotes", input: "x,\"a,b\"\n", rows: [["x", "a,b"]]),
        Case(name: "a line break inside quotes", input: "x,\"line1\nline2\"\ny,z\n", rows: [["x", "line1\nline2"], ["y", "z"]], lines: [1, 3]),
        Case(name: "a CRLF inside quotes", input: "\"a\r\nb\",c\r\nd\r\n", rows: [["a\r\nb", "c"], ["d"]], lines: [1, 3]),
        Case(name: "doubled quotes", input: "\"he said \"\"hi\"\"\",\"\"\"\"\n", rows: [["he said \"hi\"", "\""]]),
        Case(name: "empty fields", input: ",,\n\"\",x\n", rows: [["", "", ""], ["", "x"]]),
        Case(name: "ragged rows", input: "a,b,c\n1\n1,2,3,4\n", rows: [["a", "b", "c"], ["1"], ["1", "2", "3", "4"]]),
        Case(name: "empty lines are skipped", input: "a\n\n\r\n\nb\n", rows: [["a"], ["b"]], lines: [1, 5]),
        Case(name: "a trailing comma at the end", input: "a,", rows: [["a", ""]]),
        Case(name: "a quote inside an unquoted field is kept", input: "ab\"c,d\n", rows: [["ab\"c", "d"]]),
        Case(name: "text after a closing quote is appended", input: "\"ab\"cd,e\n", rows: [["abcd", "e"]]),
        Case(name: "a quote never closed", input: "a,\"bc\nd\n", rows: [["a", "bc\nd\n"]], problem: "line 1: a quoted field opened on line 1 never closes"),
        Case(name: "non-ASCII text", input: "Müller,€ 10,Nguyễn\n", rows: [["Müller", "€ 10", "Nguyễn"]]),
        Case(name: "a Zoho header with a double space", input: "\u{FEFF}Record Id,Call  Subject\n4876876000002000001,Hi\n",
             rows: [["Record Id", "Call  Subject"], ["4876876000002000001", "Hi"]]),
        Case(name: "nothing at all", input: "", rows: []),
        Case(name: "only a byte-order mark", input: "\u{FEFF}", rows: []),
    ]

    @Test("rows, fields and lines", arguments: cases)
    func quoting(_ c: Case) {
        for chunk in [Int.max, 1, 3] {
            let (collected, reader) = CSVRowCollector.read(Array(c.input.utf8), chunk: chunk)
            #expect(collected.rows.map(\.fields) == c.rows, "fed in pieces of \(chunk)")
            if let lines = c.lines { #expect(collected.rows.map(\.line) == lines, "fed in pieces of \(chunk)") }
            #expect(reader.problems == (c.problem.map { [$0] } ?? []), "fed in pieces of \(chunk)")
            #expect(reader.rows == c.rows.count)
        }
    }

    @Test("a 20 MB field streams through: the reader keeps none of it, the collector cuts it")
    func hugeField() {
        var input = Array("id,notes\n1,\"".utf8)
        input += [UInt8](repeating: 0x41, count: 20 << 20)
        input += Array("\"\n2,short\n".utf8)
        let (collected, reader) = CSVRowCollector.read(input, chunk: 64 << 10, maxFieldBytes: 1_024)
        #expect(collected.rows.map { $0.fields.map(\.count) } == [[2, 5], [1, 1_024], [1, 5]])
        #expect(collected.rows.map(\.line) == [1, 2, 3])
        #expect(collected.truncatedFields == 1)
        #expect(reader.problems.isEmpty)
    }
}
