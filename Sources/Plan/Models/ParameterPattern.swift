/// The one matcher of `freeze` / `unfreeze` patterns against parameter names,
/// used by the checker (a pattern that selects nothing is an error), the cost
/// model, feature hoisting and the trainer alike (LANGUAGE.md, "Parameter patterns").
///
/// A pattern is a glob over the dotted name: `*` matches any run of characters
/// (dots included), `?` exactly one character, anything else itself. It selects
/// a parameter when it matches the whole name or a prefix of it that ends at a
/// dot, so a pattern names a module and everything under it: `layers.0` selects
/// `layers.0.weight` (not `layers.01.weight`); `encoder.layer.*.attention`
/// selects the attention parameters of every layer; `encoder.layer.?.output.*`
/// every parameter of layers 0–9's output blocks.
public enum ParameterPattern {
    /// Whether `pattern` selects the parameter `name`.
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.unicodeScalars), n = Array(name.unicodeScalars)
        if glob(p, n[...]) { return true }
        for (i, c) in n.enumerated() where c == "." {
            if glob(p, n[0..<i]) { return true }
        }
        return false
    }

    /// The names `pattern` selects, in order.
    public static func selected(by pattern: String, in names: [String]) -> [String] {
        names.filter { matches(pattern, $0) }
    }

    /// Whole-string glob match of `pattern` against `text` (`*`, `?`).
    public static func glob(_ pattern: String, _ text: String) -> Bool {
        glob(Array(pattern.unicodeScalars), Array(text.unicodeScalars)[...])
    }

    /// Linear-time greedy glob: on a mismatch, backtrack to the last `*` and let it take one more character.
    static func glob(_ p: [Unicode.Scalar], _ t: ArraySlice<Unicode.Scalar>) -> Bool {
        var pi = 0, ti = t.startIndex
        var starP = -1, starT = t.startIndex
        while ti < t.endIndex {
            if pi < p.count, p[pi] != "*", p[pi] == "?" || p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == "*" {
                starP = pi; starT = ti; pi += 1
            } else if starP >= 0 {
                pi = starP + 1; starT += 1; ti = starT
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Every dot-boundary prefix of the names (`layers`, `layers.0`, `layers.0.weight`),
    /// in first-seen order: what a pattern could usefully be (the checker's suggestions).
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
