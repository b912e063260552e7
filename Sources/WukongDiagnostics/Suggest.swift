/// "Did you mean" over the names valid in one place: restricted edit distance
/// (≤ 1 for names under 3 characters, else ≤ 2), closest first, at most three.
public enum Suggest {
    public static func similar(to name: String, among candidates: [String], limit: Int = 3) -> [String] {
        let a = Array(name.unicodeScalars)
        let maxDist = a.count < 3 ? 1 : 2
        var scored: [(Int, String)] = []
        var seen = Set<String>()
        for c in candidates where c != name && seen.insert(c).inserted {
            let b = Array(c.unicodeScalars)
            if abs(a.count - b.count) > maxDist { continue }
            let d = distance(a, b)
            if d <= maxDist { scored.append((d, c)) }
        }
        scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return scored.prefix(limit).map { $0.1 }
    }

    /// Optimal-string-alignment distance (Damerau–Levenshtein with adjacent transpositions).
    public static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { v = min(v, prev2[j - 2] + 1) }
                cur[j] = v
            }
            prev2 = prev; prev = cur
        }
        return prev[b.count]
    }

    /// "did you mean `x`?" / "did you mean `x` or `y`?" or nil.
    public static func didYouMean(_ name: String, among candidates: [String]) -> String? {
        let s = similar(to: name, among: candidates)
        guard !s.isEmpty else { return nil }
        let quoted = s.map { "`\($0)`" }
        let list = quoted.count == 1 ? quoted[0]
            : quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
        return "did you mean \(list)?"
    }
}
