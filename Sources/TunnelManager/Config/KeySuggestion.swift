/// Suggests the known key closest to a misspelt one ("did you mean").
enum KeySuggestion {
    /// The closest known key within an edit distance of 3, or nil.
    static func closest(to key: String, among known: [String]) -> String? {
        let limit = min(3, max(1, key.count / 2))
        let lowered = key.lowercased()
        // The distance is at least the difference in length: a key far longer than every known one (a fuzzed
        // file's 470,000-character line took 14 s here) is no near miss and is not compared character by character.
        let scored = known.filter { abs($0.count - lowered.count) <= limit }.map { ($0, distance(lowered, $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= limit else {
            return nil
        }
        return best.0
    }

    /// Levenshtein distance between two strings.
    static func distance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs), b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            previous = current
        }
        return previous[b.count]
    }
}
