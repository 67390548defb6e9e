import Yams

/// `defaults:` — per-org keys every org inherits and may override. Mappings merge key by key
/// at every depth, lists and scalars are replaced whole, and `{org}` in a string value is the
/// org's name.
extension PolicyReader {
    /// An org's mapping with `defaults` under it: `defaults` keys first, each overridden (or,
    /// for mappings, merged) by the org's own. Positions stay where each value was written.
    static func merged(_ defaults: Node, under node: Node) -> Node {
        guard case .mapping(let base) = defaults, case .mapping(let own) = node else { return node }
        func key(_ node: Node) -> String? { if case .scalar(let s) = node { s.string } else { nil } }
        let ownByKey = Dictionary(own.compactMap { pair in key(pair.key).map { ($0, pair) } }, uniquingKeysWith: { a, _ in a })
        var pairs: [(Node, Node)] = []
        var taken = Set<String>()
        for (baseKey, baseValue) in base {
            guard let name = key(baseKey), let mine = ownByKey[name] else {
                pairs.append((baseKey, baseValue))
                continue
            }
            taken.insert(name)
            pairs.append((mine.key, merged(baseValue, under: mine.value)))
        }
        for (ownKey, ownValue) in own where key(ownKey).map({ !taken.contains($0) }) ?? true {
            pairs.append((ownKey, ownValue))
        }
        return .mapping(Node.Mapping(pairs, own.tag, own.style, own.mark))
    }

    /// `node` with `{org}` replaced by `org` in every string value (keys and other scalars untouched).
    static func substituted(_ node: Node, org: String) -> Node {
        switch node {
        case .scalar(let scalar):
            guard node.tagName == .str, scalar.string.contains("{org}") else { return node }
            return .scalar(Node.Scalar(scalar.string.replacingOccurrences(of: "{org}", with: org), scalar.tag, scalar.style, scalar.mark))
        case .mapping(let mapping):
            return .mapping(Node.Mapping(mapping.map { ($0.key, substituted($0.value, org: org)) }, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map { substituted($0, org: org) }, sequence.tag, sequence.style, sequence.mark))
        case .alias:
            return node
        }
    }

    /// The lines the `defaults:` mapping spans, so a problem in an inherited value can say so.
    static func lines(of node: Node) -> ClosedRange<Int>? {
        var lines: [Int] = []
        var stack = [node]
        while let next = stack.popLast() {
            if let line = next.mark?.line { lines.append(line) }
            switch next {
            case .mapping(let mapping): for (k, v) in mapping { stack.append(k); stack.append(v) }
            case .sequence(let sequence): stack.append(contentsOf: sequence)
            case .scalar, .alias: break
            }
        }
        guard let low = lines.min(), let high = lines.max() else { return nil }
        return low...high
    }
}
