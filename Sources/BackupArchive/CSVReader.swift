/// What a ``CSVReader`` hands on as it reads: the bytes of each field (in as many pieces as
/// the input came in), the end of each field, and the end of each row.
public protocol CSVSink {
    /// A piece of the current field's value (quotes removed, `""` already one quote).
    mutating func bytes(_ piece: UnsafeRawBufferPointer)
    /// The current field is complete.
    mutating func endField()
    /// The current row is complete; `line` is the line it began on (1-based).
    mutating func endRow(line: Int)
}

/// A streaming RFC 4180 reader: a byte-order mark at the start is skipped, rows end at LF,
/// CRLF or CR, a quoted field may hold commas, line breaks and doubled quotes, and rows may
/// have any number of fields. It holds no row in memory — fields are passed on in pieces as
/// the bytes arrive — so a 100 MB field costs nothing but time, and input is fed in any
/// chunks (the inflated output of a zip entry). Lenient where Python's `csv` module is: a
/// quote inside an unquoted field is kept, text after a closing quote is appended. Empty
/// lines are skipped. What is malformed is noted in ``problems`` (line numbers included),
/// never fatal.
public struct CSVReader {
    enum State { case fieldStart, unquoted, quoted, quoteInQuoted, rowStart }

    private var state = State.rowStart
    private var line = 1
    private var rowLine = 1
    /// The last byte was a CR (a following LF ends no further line).
    private var lastWasCR = false
    /// A row just ended at a CR: an LF right after it belongs to that line break.
    private var skipLF = false
    private var bomChecked = 0
    private var quotedSince = 0
    /// Rows read so far.
    public private(set) var rows = 0
    /// What was malformed, each with its line: at most ``maxProblems`` kept.
    public private(set) var problems: [String] = []
    /// How many problems there were in all.
    public private(set) var problemCount = 0
    /// How many problems ``problems`` keeps.
    public static let maxProblems = 20

    /// A reader at the start of a file.
    public init() {}

    /// Reads `buffer`, passing fields and rows to `sink`.
    public mutating func feed<Sink: CSVSink>(_ buffer: UnsafeRawBufferPointer, into sink: inout Sink) {
        let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var start = 0
        // The byte-order mark (EF BB BF), possibly split across feeds.
        while bomChecked < 3, start < buffer.count {
            let expected: [UInt8] = [0xEF, 0xBB, 0xBF]
            if buffer[start] == expected[bomChecked] { bomChecked += 1; start += 1 } else {
                if bomChecked > 0 { problem("a broken byte-order mark", at: 1) }
                bomChecked = 3
            }
        }
        // A field's bytes are passed on as spans of `buffer`, never copied. The hot paths (the
        // inside of a field) scan for the next byte that matters without leaving their loop.
        guard let base = buffer.baseAddress else { return }
        let count = buffer.count
        @inline(__always) func byte(_ k: Int) -> UInt8 { base.load(fromByteOffset: k, as: UInt8.self) }
        @inline(__always) func flush(_ from: Int, _ to: Int, _ sink: inout Sink) {
            if from >= 0, to > from { sink.bytes(UnsafeRawBufferPointer(start: base + from, count: to - from)) }
        }
        var spanStart = state == .unquoted || state == .quoted ? start : -1
        var i = start
        while i < count {
            let b = byte(i)
            if skipLF {
                // The LF of a CRLF that ended a row (or an empty line): no new line.
                skipLF = false
                if b == lf { lastWasCR = false; i += 1; continue }
            }
            switch state {
            case .unquoted:
                let j = Self.nextDelimiter(base, from: i, count: count, comma, lf, cr)
                lastWasCR = false
                if j == count { i = j; continue }
                flush(spanStart, j, &sink)
                spanStart = -1
                let c = byte(j)
                if c == comma { sink.endField(); state = .fieldStart } else { lineBreak(c); endRow(&sink, crlf: c == cr) }
                i = j + 1
            case .quoted:
                // Eight bytes at a step to the next quote or line break (line breaks are counted).
                var j = i
                while true {
                    let k = Self.nextDelimiter(base, from: j, count: count, quote, lf, cr)
                    if k > j { lastWasCR = false }
                    j = k
                    if j == count || byte(j) == quote { break }
                    lineBreak(byte(j))
                    j += 1
                }
                if j == count { i = j; continue }
                flush(spanStart, j, &sink)
                spanStart = -1
                lastWasCR = false
                state = .quoteInQuoted
                i = j + 1
            case .rowStart, .fieldStart:
                if state == .rowStart {
                    if b == lf || b == cr {  // an empty line
                        lineBreak(b)
                        skipLF = b == cr
                        i += 1
                        continue
                    }
                    rowLine = line
                }
                switch b {
                case quote: state = .quoted; quotedSince = line; spanStart = i + 1
                case comma: sink.endField(); state = .fieldStart
                case lf, cr: lineBreak(b); endRow(&sink, crlf: b == cr)
                default: state = .unquoted; spanStart = i
                }
                if b != lf && b != cr { lastWasCR = false }
                i += 1
            case .quoteInQuoted:
                switch b {
                case quote: state = .quoted; spanStart = i  // a doubled quote: one quote
                case comma: sink.endField(); state = .fieldStart
                case lf, cr: lineBreak(b); endRow(&sink, crlf: b == cr)
                default: state = .unquoted; spanStart = i  // text after the closing quote, kept
                }
                if b != lf && b != cr { lastWasCR = false }
                i += 1
            }
        }
        if state == .unquoted || state == .quoted { flush(spanStart, count, &sink) }
    }

    /// The index of the first byte `a`, `b` or `c` at or after `from` (`count` if none): eight
    /// bytes at a step (a zero-byte test on the word XORed with each byte), then byte by byte.
    /// The lowest flagged byte of the test is always a true match (a false flag needs a borrow
    /// from a true zero byte below it), so the first hit is exact.
    @inline(__always)
    static func nextDelimiter(_ base: UnsafeRawPointer, from: Int, count: Int, _ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let wa = UInt64(a) &* ones, wb = UInt64(b) &* ones, wc = UInt64(c) &* ones
        var j = from
        while j + 8 <= count {
            let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            let hits = zeroBytes(w ^ wa) | zeroBytes(w ^ wb) | zeroBytes(w ^ wc)
            if hits != 0 { return j + hits.trailingZeroBitCount / 8 }
            j += 8
        }
        while j < count {
            let x = base.load(fromByteOffset: j, as: UInt8.self)
            if x == a || x == b || x == c { return j }
            j += 1
        }
        return count
    }

    /// Counts a line break: CR, LF, and CRLF (one).
    @inline(__always)
    private mutating func lineBreak(_ byte: UInt8) {
        if byte == 0x0D || !lastWasCR { line += 1 }
        lastWasCR = byte == 0x0D
    }

    /// Ends the input: a row without a final line break is completed; a quoted field still
    /// open is a problem.
    public mutating func finish<Sink: CSVSink>(into sink: inout Sink) {
        switch state {
        case .rowStart: break
        case .quoted:
            problem("a quoted field opened on line \(quotedSince) never closes", at: quotedSince)
            endRow(&sink)
        default: endRow(&sink)
        }
        state = .rowStart
    }

    private mutating func endRow<Sink: CSVSink>(_ sink: inout Sink, crlf: Bool = false) {
        sink.endField()
        sink.endRow(line: rowLine)
        rows += 1
        state = .rowStart
        skipLF = crlf
    }

    mutating func problem(_ text: String, at line: Int) {
        problemCount += 1
        if problems.count < Self.maxProblems { problems.append("line \(line): \(text)") }
    }
}

/// A ``CSVSink`` that keeps the rows as strings: for small files, tests and the fuzz target.
/// Bounded: fields longer than `maxFieldBytes` are cut (``truncatedFields`` counts them).
public struct CSVRowCollector: CSVSink {
    /// The rows read, each with the line it began on.
    public private(set) var rows: [(line: Int, fields: [String])] = []
    /// Fields cut at `maxFieldBytes`.
    public private(set) var truncatedFields = 0
    private var fields: [String] = []
    private var field: [UInt8] = []
    private var truncated = false
    private let maxFieldBytes: Int

    /// A collector that keeps at most `maxFieldBytes` of each field.
    public init(maxFieldBytes: Int = 1 << 20) { self.maxFieldBytes = maxFieldBytes }

    /// Keeps the piece, up to the field's limit.
    public mutating func bytes(_ piece: UnsafeRawBufferPointer) {
        let room = maxFieldBytes - field.count
        if piece.count > room { truncated = true }
        field.append(contentsOf: piece.prefix(max(room, 0)))
    }

    /// Ends the field: it joins the row.
    public mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        if truncated { truncatedFields += 1 }
        field.removeAll(keepingCapacity: true)
        truncated = false
    }

    /// Ends the row: it joins ``rows``.
    public mutating func endRow(line: Int) {
        rows.append((line, fields))
        fields.removeAll(keepingCapacity: true)
    }

    /// Reads `bytes` whole, fed in pieces of `chunk` bytes (to exercise the seams); returns the rows and the reader.
    public static func read(_ bytes: [UInt8], chunk: Int = .max, maxFieldBytes: Int = 1 << 20) -> (CSVRowCollector, CSVReader) {
        var reader = CSVReader()
        var collector = CSVRowCollector(maxFieldBytes: maxFieldBytes)
        bytes.withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                let end = offset + min(max(chunk, 1), all.count - offset)
                reader.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end]), into: &collector)
                offset = end
            }
        }
        reader.finish(into: &collector)
        return (collector, reader)
    }
}
