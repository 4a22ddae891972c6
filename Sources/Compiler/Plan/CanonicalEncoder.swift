import Foundation
import Plan
import Support

/// A canonical, versioned byte encoding of resolved task payloads: the input
/// of a task key.
///
/// Every value is written with a type tag and every field by name in a fixed
/// order, so the encoding is injective; numbers are written as the exact bits
/// of their `Double` (with `-0` as `0`), so `1e-3` and `0.001` encode alike.
/// Files are written as their format and the SHA-256 of their contents, never
/// their paths, so a moved experiment keeps its keys. Bump `version` whenever
/// the encoding of an existing value changes.
public struct CanonicalEncoder {
    /// The encoding's version; part of every key.
    public static let version = "ftx-canonical-1"

    /// The encoded text (ASCII tags, length-prefixed strings).
    public private(set) var bytes: [UInt8] = []
    private let digests: FileDigests

    /// An encoder that names files by their digests in `digests`.
    public init(digests: FileDigests) {
        self.digests = digests
        raw(Self.version)
    }

    // MARK: Primitives

    private mutating func raw(_ s: String) { bytes.append(contentsOf: Array(s.utf8)) }

    /// `(tag` … `)`: a node with named fields.
    public mutating func node(_ tag: String, _ body: (inout CanonicalEncoder) throws -> Void) rethrows {
        raw("(" + tag)
        try body(&self)
        raw(")")
    }

    /// ` :name` then the value written by `body`.
    public mutating func field(_ name: String, _ body: (inout CanonicalEncoder) throws -> Void) rethrows {
        raw(" :" + name)
        try body(&self)
    }

    public mutating func number(_ x: Double) {
        let canonical = x == 0 ? 0.0 : (x.isNaN ? Double.nan : x)
        raw(" d" + String(canonical.bitPattern, radix: 16))
    }

    public mutating func int(_ n: Int) { raw(" i" + String(n)) }
    public mutating func uint(_ n: UInt64) { raw(" u" + String(n)) }
    public mutating func bool(_ b: Bool) { raw(b ? " T" : " F") }
    public mutating func null() { raw(" N") }

    public mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        raw(" s\(utf8.count):")
        bytes.append(contentsOf: utf8)
    }

    public mutating func list<T>(_ items: [T], _ each: (inout CanonicalEncoder, T) throws -> Void) rethrows {
        raw(" [\(items.count)")
        for item in items { try each(&self, item) }
        raw("]")
    }

    public mutating func optional<T>(_ value: T?, _ each: (inout CanonicalEncoder, T) throws -> Void) rethrows {
        if let value { try each(&self, value) } else { null() }
    }

    /// A file as its content digest.
    public mutating func file(_ path: String) throws {
        string("sha256:" + (try digests.digest(ofFile: path).sha256))
    }

    // MARK: Runtime values

    public mutating func encode(_ spec: TrainingSpec) throws {
        try node("training") { e in
            try e.field("data") { try $0.encode(spec.data) }
            e.field("filter") { $0.optional(spec.filter) { $0.encode($1) } }
            try e.field("model") { try $0.encode(spec.model) }
            try e.field("init") { try $0.encode(spec.initialization) }
            e.field("reinitialize_head") { $0.bool(spec.reinitializeHead) }
            e.field("freeze") { $0.list(spec.freeze) { $0.string($1) } }
            e.field("unfreeze") {
                $0.list(spec.unfreeze) { e, step in
                    e.node("unfreeze") { e in
                        e.field("epoch") { $0.int(step.epoch) }
                        e.field("patterns") { $0.list(step.patterns) { $0.string($1) } }
                    }
                }
            }
            e.field("optimizer") { $0.encode(spec.optimizer) }
            e.field("schedule") { $0.encode(spec.schedule) }
            e.field("loss") { $0.encode(spec.loss) }
            e.field("metrics") { $0.list(spec.metrics) { $0.string($1) } }
            e.field("seed") { $0.uint(spec.seed) }
            e.field("prune") {
                $0.optional(spec.prune) { e, p in
                    e.node("asha") { e in
                        e.field("metric") { $0.string(p.metric) }
                        e.field("minimize") { $0.bool(p.minimize) }
                        e.field("min_epochs") { $0.int(p.minEpochs) }
                        e.field("reduction") { $0.int(p.reduction) }
                    }
                }
            }
        }
    }

    public mutating func encode(_ data: DataSpec) throws {
        try node("data") { e in
            try e.field("source") { e in
                switch data.source {
                case .csv(let path): try e.node("csv") { try $0.file(path) }
                case .jsonl(let path): try e.node("jsonl") { try $0.file(path) }
                }
            }
            e.field("label") { $0.optional(data.label) { $0.string($1) } }
            e.field("features") { $0.optional(data.features) { $0.list($1) { $0.string($1) } } }
            e.field("text") { $0.optional(data.text) { $0.string($1) } }
            e.field("target") { e in
                switch data.target {
                case .classes: e.string("classes")
                case .binary: e.string("binary")
                case .regression: e.string("regression")
                }
            }
            e.field("normalize") { e in
                switch data.normalize {
                case .none: e.node("none") { _ in }
                case .scale(let k): e.node("scale") { $0.number(k) }
                case .standardize: e.node("standardize") { _ in }
                }
            }
            e.field("split") { e in
                e.node("split") { e in
                    e.field("kind") { e in
                        switch data.split.kind {
                        case .ordered: e.node("ordered") { _ in }
                        case .random(let seed): e.node("random") { $0.uint(seed) }
                        case .stratified(let seed): e.node("stratified") { $0.uint(seed) }
                        }
                    }
                    e.field("train") { $0.number(data.split.train) }
                    e.field("valid") { $0.number(data.split.valid) }
                    e.field("test") { $0.number(data.split.test) }
                }
            }
            e.field("augment") {
                $0.list(data.augment) { e, a in
                    switch a {
                    case .noise(let std): e.node("noise") { $0.number(std) }
                    case .mixup(let alpha): e.node("mixup") { $0.number(alpha) }
                    case .tokenDropout(let p): e.node("token_dropout") { $0.number(p) }
                    }
                }
            }
        }
    }

    public mutating func encode(_ p: RowPredicate) {
        func operand(_ e: inout CanonicalEncoder, _ o: RowPredicate.Operand) {
            switch o {
            case .column(let c): e.node("column") { $0.string(c) }
            case .number(let n): e.node("number") { $0.number(n) }
            case .string(let s): e.node("string") { $0.string(s) }
            }
        }
        switch p {
        case .compare(let l, let op, let r):
            node("compare") { e in
                operand(&e, l)
                e.string(op.rawValue)
                operand(&e, r)
            }
        case .and(let a, let b): node("and") { $0.encode(a); $0.encode(b) }
        case .or(let a, let b): node("or") { $0.encode(a); $0.encode(b) }
        case .not(let a): node("not") { $0.encode(a) }
        }
    }

    public mutating func encode(_ model: ModelSpec) throws {
        try node("model") { e in
            // The input width is read from the data for pretrained encoders; keep it out of their identity.
            e.field("input") { $0.int(model.pretrained == nil ? model.input : 0) }
            e.field("layers") { $0.list(model.layers) { $0.encode($1) } }
            e.field("head") { $0.optional(model.head) { $0.encode($1) } }
            try e.field("pretrained") { e in
                try e.optional(model.pretrained) { e, p in
                    try e.node("pretrained") { e in
                        e.field("architecture") { $0.string(p.architecture.rawValue) }
                        try e.field("files") { $0.string("sha256:" + (try $0.digests.digest(ofModelFolder: p.directory))) }
                        e.field("max_length") { $0.int(p.maxLength) }
                        e.field("pooling") { $0.string(p.pooling.rawValue) }
                    }
                }
            }
        }
    }

    public mutating func encode(_ layer: LayerSpec) {
        switch layer {
        case .dense(let units, let activation):
            node("dense") { e in
                e.int(units)
                e.optional(activation) { $0.string($1.rawValue) }
            }
        case .dropout(let p): node("dropout") { $0.number(p) }
        case .layerNorm(let eps): node("layer_norm") { $0.number(eps) }
        case .activation(let a): node("activation") { $0.string(a.rawValue) }
        }
    }

    public mutating func encode(_ initialization: Initialization) throws {
        switch initialization {
        case .random: node("random") { _ in }
        case .checkpoint(let path): try node("checkpoint") { try $0.file(path) }
        case .upstream(let key): node("upstream") { $0.string(key) }
        }
    }

    public mutating func encode(_ o: OptimizerSpec) {
        node("optimizer") { e in
            e.field("kind") { $0.string(o.kind.rawValue) }
            e.field("lr") { $0.number(o.lr) }
            e.field("weight_decay") { $0.number(o.weightDecay) }
            e.field("momentum") { $0.number(o.momentum) }
            e.field("dampening") { $0.number(o.dampening) }
            e.field("nesterov") { $0.bool(o.nesterov) }
            e.field("beta1") { $0.number(o.beta1) }
            e.field("beta2") { $0.number(o.beta2) }
            e.field("eps") { $0.number(o.eps) }
            e.field("amsgrad") { $0.bool(o.amsgrad) }
            e.field("alpha") { $0.number(o.alpha) }
            e.field("centered") { $0.bool(o.centered) }
            e.field("adagrad_lr_decay") { $0.number(o.adagradLRDecay) }
            e.field("initial_accumulator") { $0.number(o.initialAccumulator) }
            e.field("layer_lr_decay") { $0.number(o.layerLRDecay) }
        }
    }

    public mutating func encode(_ s: ScheduleSpec) {
        node("schedule") { e in
            e.field("epochs") { $0.int(s.epochs) }
            e.field("batch_size") { $0.int(s.batchSize) }
            e.field("shuffle") { $0.bool(s.shuffle) }
            e.field("lr") { $0.encode(s.lr) }
            e.field("clip_grad_norm") { $0.optional(s.clipGradNorm) { $0.number($1) } }
            e.field("clip_grad_value") { $0.optional(s.clipGradValue) { $0.number($1) } }
            e.field("early_stop") {
                $0.optional(s.earlyStop) { e, es in
                    e.node("early_stop") { e in
                        e.field("metric") { $0.string(es.metric) }
                        e.field("patience") { $0.int(es.patience) }
                        e.field("minimize") { $0.bool(es.minimize) }
                        // Only when set: trials without it keep the keys they had before it existed.
                        if es.minDelta != 0 { e.field("min_delta") { $0.number(es.minDelta) } }
                    }
                }
            }
        }
    }

    public mutating func encode(_ count: StepCount) {
        switch count {
        case .steps(let n): node("steps") { $0.int(n) }
        case .epochs(let n): node("epochs") { $0.number(n) }
        case .fraction(let f): node("fraction") { $0.number(f) }
        }
    }

    public mutating func encode(_ lr: LRScheduleSpec) {
        switch lr {
        case .constant: node("constant") { _ in }
        case .step(let every, let gamma):
            node("step") { e in
                e.field("every") { $0.encode(every) }
                e.field("gamma") { $0.number(gamma) }
            }
        case .multistep(let milestones, let gamma):
            node("multistep") { e in
                e.field("milestones") { $0.list(milestones) { $0.encode($1) } }
                e.field("gamma") { $0.number(gamma) }
            }
        case .exponential(let gamma): node("exponential") { e in e.field("gamma") { $0.number(gamma) } }
        case .cosine(let warmup, let min):
            node("cosine") { e in
                e.field("warmup") { $0.encode(warmup) }
                e.field("min") { $0.number(min) }
            }
        case .linear(let warmup): node("linear") { e in e.field("warmup") { $0.encode(warmup) } }
        case .cosineRestarts(let period, let multiplier, let min):
            node("cosine_restarts") { e in
                e.field("period") { $0.encode(period) }
                e.field("mult") { $0.int(multiplier) }
                e.field("min") { $0.number(min) }
            }
        case .oneCycle(let maxLR, let pctStart, let anneal, let divFactor, let finalDivFactor, let threePhase):
            node("one_cycle") { e in
                e.field("max") { $0.number(maxLR) }
                e.field("pct_start") { $0.number(pctStart) }
                e.field("anneal") { $0.string(anneal) }
                e.field("div_factor") { $0.number(divFactor) }
                e.field("final_div_factor") { $0.number(finalDivFactor) }
                e.field("three_phase") { $0.bool(threePhase) }
            }
        case .plateau(let factor, let patience, let threshold, let cooldown, let minLR):
            node("plateau") { e in
                e.field("factor") { $0.number(factor) }
                e.field("patience") { $0.int(patience) }
                e.field("threshold") { $0.number(threshold) }
                e.field("cooldown") { $0.int(cooldown) }
                e.field("min") { $0.number(minLR) }
            }
        }
    }

    public mutating func encode(_ loss: LossSpec) {
        node("loss") { e in
            e.field("criterion") { e in
                switch loss.criterion {
                case .crossEntropy(let s): e.node("cross_entropy") { $0.number(s) }
                case .mse: e.node("mse") { _ in }
                case .bce: e.node("bce") { _ in }
                }
            }
            e.field("penalties") {
                $0.list(loss.penalties) { e, p in
                    e.node(p.penalty.rawValue) { $0.number(p.weight) }
                }
            }
        }
    }

    /// A task payload; the inputs' keys it names are part of it.
    public mutating func encode(_ payload: PlannedTask.Payload) throws {
        switch payload {
        case .data(let spec): try node("data-task") { try $0.encode(spec) }
        case .features(let spec): try node("features-task") { try $0.encode(spec) }
        case .train(let spec): try node("train-task") { try $0.encode(spec) }
        case .eval(let trainKey, let spec):
            try node("eval-task") { e in
                e.field("train") { $0.string(trainKey) }
                try e.field("spec") { try $0.encode(spec) }
            }
        case .select(let metric, let minimize, let candidates):
            node("select-task") { e in
                e.field("metric") { $0.string(metric) }
                e.field("minimize") { $0.bool(minimize) }
                e.field("candidates") { $0.list(candidates) { $0.string($1) } }
            }
        case .ensemble(let metric, let minimize, let k, let candidates):
            node("ensemble-task") { e in
                e.field("metric") { $0.string(metric) }
                e.field("minimize") { $0.bool(minimize) }
                e.field("k") { $0.int(k) }
                e.field("candidates") { $0.list(candidates) { $0.string($1) } }
            }
        }
    }
}

/// The content identity of a task: SHA-256 over the canonical encoding of
/// its kind, payload and dependency keys, and `RuntimeVersion.current`.
public enum TaskKey {
    /// The key (64 hex digits).
    public static func compute(kind: PlannedTask.Kind, payload: PlannedTask.Payload, deps: [String], digests: FileDigests) throws -> String {
        SHA256.hash(Data(try canonicalBytes(kind: kind, payload: payload, deps: deps, digests: digests))).hex
    }

    /// The bytes a key hashes (pinned by the key golden tests, so a refactor cannot move a store's keys).
    public static func canonicalBytes(kind: PlannedTask.Kind, payload: PlannedTask.Payload, deps: [String], digests: FileDigests) throws -> [UInt8] {
        var e = CanonicalEncoder(digests: digests)
        e.node("task") { e in
            e.field("runtime") { $0.string(RuntimeVersion.current) }
            e.field("kind") { $0.string(kind.rawValue) }
        }
        try e.encode(payload)
        // Dependencies as a set: their order in the plan is not part of the identity.
        e.field("deps") { $0.list(deps.sorted()) { $0.string($1) } }
        return e.bytes
    }

    /// The first 10 hex digits, as tables show ids.
    public static func short(_ key: String) -> String { PlannedTask.shortKey(key) }
}
