/// "Did you mean" for misspelt keys: the closest known key within a small edit distance.
enum KeySuggestion {
    static func closest(to word: String, in candidates: [String]) -> String? {
        let lower = word.lowercased()
        let limit = max(1, min(3, word.count / 3))
        if let near = candidates.map({ ($0, distance(lower, $0.lowercased())) }).filter({ $0.1 <= limit }).min(by: { $0.1 < $1.1 }) {
            return near.0
        }
        // `polling` for `poll_interval`: a shared start of at least 4 letters.
        let byPrefix = candidates.map { ($0, commonPrefixLength(lower, $0.lowercased())) }.filter { $0.1 >= 4 }
        return byPrefix.max { $0.1 < $1.1 }?.0
    }

    static func commonPrefixLength(_ a: String, _ b: String) -> Int {
        zip(a, b).prefix { $0 == $1 }.count
    }

    /// Levenshtein distance, counting a swap of two neighbours as one edit.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
