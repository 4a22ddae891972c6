import Plan

/// The "Parameter patterns" section of docs/LANGUAGE.md: what `freeze` and
/// `unfreeze` patterns select. Its tables are computed by `ParameterPattern` (the
/// matcher the checker, planner and trainer use) over `ModelCatalog`'s names, so
/// the examples cannot drift from what actually freezes.
extension LanguageReference {
    /// The layers of the examples' `mlp` (`ExampleTemplate.numeric`; a test keeps the two equal).
    static let patternMLPLayers: [LayerSpec] = [.dense(units: 64, activation: .relu), .dropout(p: 0.1), .dense(units: 64, activation: .relu)]
    /// Its head.
    static let patternMLPHead = LayerSpec.dense(units: 10, activation: nil)
    /// The BERT of the examples: bert-base's 12 layers (all-MiniLM-L6-v2 has 6).
    static let patternBERT = BertConfig(hiddenSize: 768, numHiddenLayers: 12, numAttentionHeads: 12, intermediateSize: 3072,
                                        maxPositionEmbeddings: 512, typeVocabSize: 2, vocabSize: 30522)

    /// Example patterns over the MLP, each with what it shows.
    public static let mlpPatternExamples: [(pattern: String, why: String)] = [
        ("layers.0", "the first dense layer: a prefix ending at a dot names a module"),
        ("layers.*.bias", "every hidden layer's bias: `*` spans any characters"),
        ("layers.?.weight", "`?` is exactly one character"),
        ("head", "the head"),
        ("*.bias", "every bias, the head's included"),
    ]

    /// Example patterns over a 12-layer BERT, each with what it shows.
    public static let bertPatternExamples: [(pattern: String, why: String)] = [
        ("embeddings", "word, position and token-type embeddings and their LayerNorm"),
        ("encoder.layer.*.attention", "the attention block (query, key, value, output projection and its LayerNorm) of every layer"),
        ("encoder.layer.?.attention", "the attention of layers 0–9: `?` is one character, so not 10 and 11"),
        ("encoder.layer.1", "layer 1 only: a prefix ends at a dot, so not layer 10"),
        ("encoder.layer.1*", "layers 1, 10 and 11: `*` matches the empty string, `0` and `1`"),
        ("encoder", "the whole encoder"),
        ("*LayerNorm", "every LayerNorm (embeddings' and each layer's two)"),
    ]

    /// Patterns `ftx check` rejects, in the MLP, each with why (and the suggestion it makes).
    public static let mlpInvalidPatternExamples: [(pattern: String, why: String)] = [
        ("layers.1", "a dropout, which has no parameters"),
        ("layer.0", "did you mean `\"layers.0\"`?"),
        ("layers.0 ", "a space; did you mean `\"layers.0\"`?"),
        ("", "empty"),
    ]

    /// Patterns `ftx check` rejects, in a BERT, each with why (and the suggestion it makes).
    public static let bertInvalidPatternExamples: [(pattern: String, why: String)] = [
        ("encoder.layers.*.attention", "did you mean `\"encoder.layer.*.attention\"`?"),
        ("pooler", "the pooler never trains"),
    ]

    /// The MLP's parameter names.
    public static var patternMLPNames: [String] {
        ModelCatalog.mlp(inputSize: 64, layers: patternMLPLayers, head: patternMLPHead).specs.map(\.name)
    }

    /// The names a pattern may select in a BERT with a head: the pooler never trains.
    static func trainableBERTNames(_ config: BertConfig) -> [String] {
        ModelCatalog.bert(config).map(\.name).filter(ModelCatalog.isBertEncoderParameter) + ["head.weight", "head.bias"]
    }

    /// The whole section.
    static func parameterPatternsSection() -> String {
        let model = ExampleTemplate.numeric.model
        let modelSource = "model \(model.0) {\n" + model.1.map { "  " + $0.1 }.joined(separator: "\n") + "\n}"
        let oneLayer = ModelCatalog.bert(BertConfig(hiddenSize: 2, numHiddenLayers: 1, numAttentionHeads: 1, intermediateSize: 2,
                                                    maxPositionEmbeddings: 2, typeVocabSize: 2, vocabSize: 2)).map(\.name)
        let embeddings = oneLayer.filter { $0.hasPrefix("embeddings.") }
        let perLayer = oneLayer.filter { $0.hasPrefix("encoder.layer.0.") }.map { $0.replacingOccurrences(of: "encoder.layer.0.", with: "encoder.layer.{i}.") }
        let pooler = oneLayer.filter { !ModelCatalog.isBertEncoderParameter($0) }
        var lines = ["""
        ## Parameter patterns

        `freeze` and the `layers` of each `unfreeze` step name parameters by pattern. A \
        parameter is frozen (never updated, its values exactly as loaded or initialised) \
        while some `freeze` pattern selects it, until the first `unfreeze` step whose \
        patterns select it is reached; every other parameter trains. The checker, the \
        planner and the trainer use one matcher, so what `ftx check` accepts is what freezes. \
        The `params` of a `param_groups` entry are patterns too, with the same rules (a \
        parameter takes the first group any of whose patterns selects it).

        - **Syntax.** A pattern is a glob over the dotted name: `*` matches any run of \
        characters, dots included (also none), `?` exactly one character, and every other \
        character itself. There is no other glob syntax (`[…]`, `{…}`, `!`).
        - **Prefix rule.** A pattern selects a parameter when it matches the whole name, or \
        a prefix of it that ends just before a dot. So a pattern names a module and \
        everything under it: `"layers.0"` selects `layers.0.weight` and `layers.0.bias` but \
        not `layers.01.weight`; `"encoder.layer.1"` selects layer 1 but not layer 10.
        - **Every pattern must select a parameter that can train.** `ftx check` reports a \
        pattern that selects nothing (a misspelt name, a layer without parameters, an empty \
        pattern, one with spaces) with the nearest pattern that does, in `freeze`, in every \
        `unfreeze` step and in every value a sweep gives `freeze` or `unfreeze`. A `freeze` \
        that selects every parameter, with no `unfreeze`, is a warning: the stage trains nothing.

        ### Parameter names

        Names follow PyTorch. An MLP has `layers.{i}.weight` and `layers.{i}.bias` for every \
        `dense` and `layer_norm` entry, where `i` counts every entry of `layers` (dropout and \
        activations included, like `nn.Sequential`), then `head.weight` and `head.bias`. The \
        `mlp` of the examples

        ```ftx
        \(modelSource)
        ```

        has \(inline(patternMLPNames)).

        A pretrained BERT keeps its Hugging Face names, without the `bert.` prefix: \
        \(inline(embeddings)); for each layer `i` (from 0) \(inline(perLayer)); then the \
        model's own `layers` on the pooled vector, if any (`layers.{i}.*`, counted as in an MLP), \
        and the head's. \(inline(pooler)) are loaded but never train (no pooling reads them): they \
        are always frozen, and a pattern that selects only them is an error.

        ### Examples

        In the `mlp` above:

        | pattern | selects | because |
        |---|---|---|
        """]
        let mlpNames = patternMLPNames
        for (pattern, why) in mlpPatternExamples {
            lines.append("| `\"\(pattern)\"` | \(inline(ParameterPattern.selected(by: pattern, in: mlpNames))) | \(why) |")
        }
        lines.append("""

        In a \(patternBERT.numHiddenLayers)-layer BERT (bert-base; `{a–b}` are layer numbers, \
        `(n of m)` how many of that part's parameters are selected):

        | pattern | selects | because |
        |---|---|---|
        """)
        let bertNames = trainableBERTNames(patternBERT)
        for (pattern, why) in bertPatternExamples {
            lines.append("| `\"\(pattern)\"` | \(summary(ParameterPattern.selected(by: pattern, in: bertNames), of: bertNames)) | \(why) |")
        }
        func invalid(_ examples: [(pattern: String, why: String)]) -> String {
            examples.map { "`\"\($0.pattern)\"` (\($0.why))" }.joined(separator: ", ")
        }
        lines.append("\nErrors in the `mlp`: \(invalid(mlpInvalidPatternExamples)). In a BERT: \(invalid(bertInvalidPatternExamples)).")
        return lines.joined(separator: "\n")
    }

    /// A stage freezing each example pattern, in the MLP or in all-MiniLM-L6-v2 (6 layers);
    /// `valid: false` gives the rejected examples instead.
    public static func patternExampleFiles(valid: Bool = true) -> [(title: String, source: String, needsFiles: Bool)] {
        func file(_ template: ExampleTemplate, _ pattern: String) -> (String, String, Bool) {
            var t = template
            t.set("stage", "freeze", "freeze = [\"\(pattern)\"]")
            return ("freeze = [\"\(pattern)\"]", t.render(), true)
        }
        let (mlp, bert) = valid ? (mlpPatternExamples, bertPatternExamples) : (mlpInvalidPatternExamples, bertInvalidPatternExamples)
        return mlp.map { file(.numeric, $0.pattern) } + bert.map { file(.text, $0.pattern) }
    }

    /// A short description of `selected` (a subset of `names`): per top-level module, and for
    /// `encoder.layer.{i}` per layer range, the longest common prefix and how many are selected.
    static func summary(_ selected: [String], of names: [String]) -> String {
        /// (group, the name with a layer number replaced by `{i}`, the layer number).
        func parts(_ name: String) -> (group: String, rest: String, layer: Int?) {
            let p = name.split(separator: ".", omittingEmptySubsequences: false)
            if p.count > 3, p[0] == "encoder", p[1] == "layer", let i = Int(p[2]) {
                return ("encoder.layer", p[3...].joined(separator: "."), i)
            }
            return (String(p[0]), name, nil)
        }
        var groups: [String] = []
        var members: [String: [(rest: String, layer: Int?)]] = [:]
        for name in selected {
            let (g, rest, layer) = parts(name)
            if members[g] == nil { groups.append(g) }
            members[g, default: []].append((rest, layer))
        }
        let out = groups.map { g -> String in
            let m = members[g]!
            let total = names.filter { parts($0).group == g }.count
            let common = commonPrefix(m.map(\.rest))
            let layers = Set(m.compactMap(\.layer)).sorted()
            if layers.isEmpty {
                return m.count == 1 ? "`\(m[0].rest)`" : "`\(common)…` (\(m.count) of \(total))"
            }
            return "`encoder.layer.{\(ranges(layers))}.\(common)…` (\(m.count) of \(total))"
        }
        return out.joined(separator: ", ")
    }

    /// The longest dot-boundary prefix shared by `names`, with its trailing dot (or "").
    static func commonPrefix(_ names: [String]) -> String {
        guard var prefix = names.first?.split(separator: ".", omittingEmptySubsequences: false).dropLast() else { return "" }
        for name in names.dropFirst() {
            let p = name.split(separator: ".", omittingEmptySubsequences: false)
            var n = 0
            while n < prefix.count, n < p.count - 1, prefix[prefix.startIndex + n] == p[n] { n += 1 }
            prefix = prefix.prefix(n)
        }
        return prefix.isEmpty ? "" : prefix.joined(separator: ".") + "."
    }

    /// `0–9`, `1, 10–11`: sorted integers as ranges.
    static func ranges(_ sorted: [Int]) -> String {
        var out: [String] = [], i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1] == sorted[j] + 1 { j += 1 }
            out.append(j == i ? "\(sorted[i])" : "\(sorted[i])–\(sorted[j])")
            i = j + 1
        }
        return out.joined(separator: ", ")
    }
}
