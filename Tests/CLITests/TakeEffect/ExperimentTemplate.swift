/// An experiment as named slots, so a take-effect case is written as the few
/// slots its two sides set differently. A slot `section.key` (`stage.optimizer`,
/// `schedule.lr`) prints as the line `key = value` in its block; an empty value
/// leaves the line out. Two slots hold raw text: `stage.sweep` (sweep blocks and
/// other stage lines, inside the stage) and `extra` (further declarations after it).
struct ExperimentTemplate: Sendable {
    struct Block: Sendable {
        var header: String
        var slots: [(slot: String, value: String)]
        var inner: [Block] = []
        /// A slot whose value is printed as is, indented, at the end of the block.
        var raw: String? = nil
        /// Left out when none of its slots is set (`resources`, whose mere presence is no default).
        var optional = false
    }

    var name: String
    var blocks: [Block]

    /// Every slot this template has.
    var slots: Set<String> {
        func collect(_ b: Block) -> [String] { b.slots.map(\.slot) + (b.raw.map { [$0] } ?? []) + b.inner.flatMap(collect) }
        return Set(blocks.flatMap(collect) + ["extra"])
    }

    /// The experiment with `overrides` replacing the template's slot values.
    func render(_ overrides: [String: String]) -> String {
        func render(_ b: Block, indent: String) -> [String] {
            if b.optional, b.slots.allSatisfy({ (overrides[$0.slot] ?? $0.value).isEmpty }) { return [] }
            var lines = ["\(indent)\(b.header) {"]
            for (slot, value) in b.slots {
                let v = overrides[slot] ?? value
                if !v.isEmpty { lines.append("\(indent)  \(slot.split(separator: ".").last!) = \(v)") }
            }
            for inner in b.inner { lines += render(inner, indent: indent + "  ") }
            if let raw = b.raw, let text = overrides[raw], !text.isEmpty {
                lines += text.split(separator: "\n", omittingEmptySubsequences: false).map { "\(indent)  \($0)" }
            }
            lines.append("\(indent)}")
            return lines
        }
        var lines: [String] = []
        for b in blocks { lines += render(b, indent: ""); lines.append("") }
        if let extra = overrides["extra"], !extra.isEmpty { lines.append(extra); lines.append("") }
        return lines.joined(separator: "\n")
    }

    /// An MLP on 60 rows of digits (48 train, 12 valid): 2 epochs of 3 steps.
    static let mlp = ExperimentTemplate(name: "mlp", blocks: [
        Block(header: "experiment walk", slots: [("experiment.seed", "0")], inner: [resources("experiment")]),
        Block(header: "data digits", slots: [
            ("data.source", #"csv("digits.csv")"#), ("data.label", #""label""#), ("data.text", ""), ("data.features", ""),
            ("data.normalize", "scale(1 / 16)"), ("data.split", "random(train: 0.8, valid: 0.2, seed: 0)"), ("data.augment", ""),
        ]),
        Block(header: "model mlp", slots: [
            ("model.input", ""), ("model.layers", "[dense(16, activation: relu)]"), ("model.head", "dense(10)"),
        ]),
        stage(model: "mlp", data: "digits"),
    ])

    /// A random 2-layer BERT (hidden 32, MiniLM's vocabulary) on 48 short texts, 3 classes.
    static let bert = ExperimentTemplate(name: "bert", blocks: [
        Block(header: "experiment walk", slots: [("experiment.seed", "0")]),
        Block(header: "data texts", slots: [
            ("data.source", #"csv("texts.csv")"#), ("data.label", #""label""#), ("data.text", #""text""#), ("data.features", ""),
            ("data.split", "random(train: 0.75, valid: 0.25, seed: 0)"), ("data.augment", ""),
        ]),
        Block(header: "model tiny", slots: [
            ("model.pretrained", #"bert("tiny-bert")"#), ("model.tokenizer", "wordpiece(max_length: 16)"), ("model.pooling", ""),
            ("model.layers", ""), ("model.head", "dense(3)"),
        ]),
        stage(model: "tiny", data: "texts"),
    ])

    static func stage(model: String, data: String) -> Block {
        Block(header: "stage train", slots: [
            ("stage.model", model), ("stage.init", ""), ("stage.data", data), ("stage.freeze", ""), ("stage.unfreeze", ""),
            ("stage.param_groups", ""), ("stage.head", ""), ("stage.optimizer", "adam(lr: 0.01)"), ("stage.loss", ""), ("stage.metrics", ""),
            ("stage.seed", ""), ("stage.repeat", ""), ("stage.select", ""), ("stage.ensemble", ""), ("stage.prune", ""),
        ], inner: [
            Block(header: "schedule", slots: [
                ("schedule.epochs", "2"), ("schedule.batch_size", "16"), ("schedule.accumulate", ""), ("schedule.lr", ""), ("schedule.shuffle", ""),
                ("schedule.clip_grad_norm", ""), ("schedule.clip_grad_value", ""), ("schedule.early_stop", ""), ("schedule.keep_best", ""),
            ]),
            resources("stage"),
        ], raw: "stage.sweep")
    }

    /// `resources { … }` in `owner` (`experiment` or `stage`): slots `experiment.resources.cpus`, `stage.resources.time`, ….
    static func resources(_ owner: String) -> Block {
        Block(header: "resources", slots: ["cpus", "memory", "time", "partition"].map { ("\(owner).resources.\($0)", "") }, optional: true)
    }
}
