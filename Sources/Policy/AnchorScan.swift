/// Finds YAML anchors (`&name`) and aliases (`*name`) in a policy's text before the YAML is
/// composed: composing (and walking) aliases can take exponential time, so a file with one is
/// refused before anything is built.
///
/// A lexical scan, not a parser: it follows what decides whether `&` or `*` starts a node —
/// comments, quoted scalars (also across lines), block scalars (`|`, `>`), flow collections,
/// and the indicators after which a node starts (`- `, `: `, `? `, `[`, `{`, `,`, a tag).
/// A `&` inside a plain value (`Tom & Jerry`) is text.
enum AnchorScan {
    /// An anchor or alias found, 1-based.
    struct Found: Equatable {
        var name: String
        var line: Int
        var column: Int
        var isAlias: Bool
    }

    static func first(in text: String) -> Found? {
        var quote: UInt8?              // the open quote (`"` or `'`), across lines
        var blockParentIndent: Int?    // inside a block scalar: the indent of the line that opened it
        var flowDepth = 0
        var lineNumber = 0
        var nodeStart = true
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let bytes = Array(line.utf8)
            let indent = bytes.prefix { $0 == 0x20 }.count
            if let parent = blockParentIndent {
                if indent == bytes.count || indent > parent { continue }   // blank or content of the block
                blockParentIndent = nil
            }
            // A block line starts a node; inside a flow collection or a quote, the state carries on.
            if quote == nil, flowDepth == 0 { nodeStart = true }
            var i = 0
            func next(_ at: Int) -> UInt8? { at + 1 < bytes.count ? bytes[at + 1] : nil }
            func isBlank(_ c: UInt8?) -> Bool { c == nil || c == 0x20 || c == 0x09 || c == 0x0D }
            scan: while i < bytes.count {
                let c = bytes[i]
                if let open = quote {
                    if open == UInt8(ascii: "\""), c == UInt8(ascii: "\\") { i += 2; continue }
                    if c == open {
                        if open == UInt8(ascii: "'"), next(i) == open { i += 2; continue }
                        quote = nil
                    }
                    i += 1
                    continue
                }
                if c == 0x20 || c == 0x09 || c == 0x0D { i += 1; continue }
                if c == UInt8(ascii: "#"), i == 0 || isBlank(bytes[i - 1]) { break scan }
                if nodeStart {
                    switch c {
                    case UInt8(ascii: "&"), UInt8(ascii: "*"):
                        var end = i + 1
                        while end < bytes.count, !isBlank(bytes[end]), !",[]{}".utf8.contains(bytes[end]) { end += 1 }
                        return Found(name: String(decoding: bytes[(i + 1)..<end], as: UTF8.self), line: lineNumber, column: i + 1,
                                     isAlias: c == UInt8(ascii: "*"))
                    case UInt8(ascii: "\""), UInt8(ascii: "'"):
                        quote = c
                        nodeStart = false
                    case UInt8(ascii: "|"), UInt8(ascii: ">"):
                        if flowDepth == 0 {
                            blockParentIndent = indent
                            break scan
                        }
                        nodeStart = false
                    case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":") where isBlank(next(i)):
                        break   // an indicator: a node may start after it
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        flowDepth += 1
                    case UInt8(ascii: "!"):
                        while i < bytes.count, !isBlank(bytes[i]) { i += 1 }   // a tag: the node follows it
                        continue scan
                    case UInt8(ascii: "]"), UInt8(ascii: "}"):
                        flowDepth = max(0, flowDepth - 1)
                        nodeStart = false
                    case UInt8(ascii: ","):
                        break
                    default:
                        nodeStart = false   // a plain scalar begins
                    }
                } else {
                    switch c {
                    case UInt8(ascii: ":") where isBlank(next(i)) || (flowDepth > 0 && ",[]{}".utf8.contains(next(i) ?? 0)):
                        nodeStart = true
                    case UInt8(ascii: ",") where flowDepth > 0:
                        nodeStart = true
                    case UInt8(ascii: "[") where flowDepth > 0, UInt8(ascii: "{") where flowDepth > 0:
                        flowDepth += 1
                        nodeStart = true
                    case UInt8(ascii: "]") where flowDepth > 0, UInt8(ascii: "}") where flowDepth > 0:
                        flowDepth -= 1
                    default:
                        break
                    }
                }
                i += 1
            }
        }
        return nil
    }
}
