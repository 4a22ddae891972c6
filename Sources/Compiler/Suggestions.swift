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

/// Matching `freeze` patterns against parameter names.
public enum ParameterPattern {
    /// Whether `pattern` selects the parameter `name`. A pattern without `*` is
    /// a prefix ending at a dot boundary (`layers.0` matches `layers.0.weight`,
    /// not `layers.01.weight`); a pattern with `*` is a glob where `*` matches
    /// any characters (dots included), matched against the whole name or any
    /// dot-boundary prefix of it (`encoder.layer.*.attention` matches the
    /// attention parameters of every layer).
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.utf8), n = Array(name.utf8)
        if !p.contains(UInt8(ascii: "*")) {
            guard n.count >= p.count, n[0..<p.count].elementsEqual(p) else { return false }
            return n.count == p.count || n[p.count] == UInt8(ascii: ".")
        }
        if glob(p, n[...]) { return true }
        for (i, byte) in n.enumerated() where byte == UInt8(ascii: ".") {
            if glob(p, n[0..<i]) { return true }
        }
        return false
    }

    /// Whole-string glob match with `*` only; linear-time greedy algorithm with backtracking to the last star.
    public static func glob(_ pattern: String, _ text: String) -> Bool {
        glob(Array(pattern.utf8), Array(text.utf8)[...])
    }

    static func glob(_ p: [UInt8], _ t: ArraySlice<UInt8>) -> Bool {
        let star = UInt8(ascii: "*")
        var pi = 0, ti = t.startIndex
        var starP = -1, starT = t.startIndex
        while ti < t.endIndex {
            if pi < p.count, p[pi] != star, p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == star {
                starP = pi; starT = ti; pi += 1
            } else if starP >= 0 {
                pi = starP + 1; starT += 1; ti = starT
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == star { pi += 1 }
        return pi == p.count
    }

    /// Every dot-boundary prefix of the names (`layers`, `layers.0`, `layers.0.weight`), in first-seen order: what a pattern could usefully be.
    public static func prefixes(of names: [String]) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for name in names {
            var prefix = ""
            for part in name.split(separator: ".", omittingEmptySubsequences: false) {
                prefix = prefix.isEmpty ? String(part) : prefix + "." + part
                if seen.insert(prefix).inserted { out.append(prefix) }
            }
        }
        return out
    }
}
