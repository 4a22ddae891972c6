import Plan
import Support
/// "Did you mean": the closest valid name by edit distance.
public enum Suggestions {
    /// Levenshtein distance with adjacent transpositions (optimal string
    /// alignment), over Unicode scalars, in O(|a|·|b|) time and O(|b|) space.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let s = Array(a.unicodeScalars), t = Array(b.unicodeScalars)
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        var prevPrev = [Int](repeating: 0, count: t.count + 1)
        var prev = Array(0...t.count)
        var current = [Int](repeating: 0, count: t.count + 1)
        for i in 1...s.count {
            current[0] = i
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                var best = min(prev[j] + 1, current[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    best = min(best, prevPrev[j - 2] + 1)
                }
                current[j] = best
            }
            (prevPrev, prev, current) = (prev, current, prevPrev)
        }
        return prev[t.count]
    }

    /// The candidate closest to `name`, if close enough to be a plausible typo:
    /// at most a third of the name's length (at least 1) edits away, or equal
    /// ignoring case. Ties go to the earlier candidate.
    public static func closest(to name: String, in candidates: [String]) -> String? {
        let limit = max(1, (name.count + 1) / 3)
        var best: (String, Int)?
        for candidate in candidates where candidate != name {
            if candidate.lowercased() == name.lowercased() { return candidate }
            // Lengths differing by more than the limit cannot be within it.
            if abs(candidate.count - name.count) > limit { continue }
            let d = editDistance(name, candidate)
            if d <= limit, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }
}
