import Foundation

/// The one description of a resolved spec's structure: which fields it has,
/// in which order, under which names. Task keys (`CanonicalEncoder`) and
/// `spec.json` (`SpecJSONWriter`) are both written by this walk, so a setting
/// is added here, once.
///
/// The order and names are frozen by the pinned task keys: a change to an
/// existing field moves every store's keys. A new setting whose default must
/// keep old keys is written only when it differs from that default (see
/// `min_delta`).
extension SpecWriter {
    /// A task payload; the inputs' keys it names are part of it.
    public mutating func encode(_ payload: PlannedTask.Payload) throws {
        switch payload {
        case .data(let spec): try variant("data-task") { try $0.encode(spec) }
        case .features(let spec): try variant("features-task") { try $0.encode(spec) }
        case .train(let spec): try variant("train-task") { try $0.encode(spec) }
        case .eval(let trainKey, let spec):
            try variant("eval-task") { e in
                e.field("train") { $0.string(trainKey) }
                try e.field("spec") { try $0.encode(spec) }
            }
        case .select(let metric, let minimize, let candidates, let k, let replicates):
            variant("select-task") { e in
                e.field("metric") { $0.string(metric) }
                e.field("minimize") { $0.bool(minimize) }
                e.field("candidates") { $0.list(candidates) { $0.string($1) } }
                // Only when not 1: `best(…)` selections keep the keys they had before `top(k)` and `repeat`.
                if k != 1 { e.field("k") { $0.int(k) } }
                if replicates != 1 { e.field("replicates") { $0.int(replicates) } }
            }
        case .ensemble(let metric, let minimize, let k, let candidates, let replicates):
            variant("ensemble-task") { e in
                e.field("metric") { $0.string(metric) }
                e.field("minimize") { $0.bool(minimize) }
                e.field("k") { $0.int(k) }
                e.field("candidates") { $0.list(candidates) { $0.string($1) } }
                if replicates != 1 { e.field("replicates") { $0.int(replicates) } }
            }
        }
    }

    public mutating func encode(_ spec: TrainingSpec) throws {
        try record("training") { e in
            try e.field("data") { try $0.encode(spec.data) }
            e.field("filter") { $0.optional(spec.filter) { $0.encode($1) } }
            try e.field("model") { try $0.encode(spec.model) }
            try e.field("init") { try $0.encode(spec.initialization) }
            e.field("reinitialize_head") { $0.bool(spec.reinitializeHead) }
            e.field("freeze") { $0.list(spec.freeze) { $0.string($1) } }
            e.field("unfreeze") {
                $0.list(spec.unfreeze) { e, step in
                    e.record("unfreeze") { e in
                        switch step.at {
                        case .epoch(let n): e.field("epoch") { $0.int(n) }
                        // Under its own name: epoch-based entries keep the keys they had before steps existed.
                        case .step(let n): e.field("step") { $0.int(n) }
                        }
                        e.field("patterns") { $0.list(step.patterns) { $0.string($1) } }
                    }
                }
            }
            e.field("optimizer") { $0.encode(spec.optimizer) }
            // Only when set: trials without groups keep the keys they had before `param_groups` existed.
            if !spec.parameterGroups.isEmpty {
                e.field("param_groups") {
                    $0.list(spec.parameterGroups) { e, g in
                        e.record("param_group") { e in
                            e.field("params") { $0.list(g.patterns) { $0.string($1) } }
                            e.field("lr") { $0.optional(g.lr) { $0.number($1) } }
                            e.field("weight_decay") { $0.optional(g.weightDecay) { $0.number($1) } }
                        }
                    }
                }
            }
            e.field("schedule") { $0.encode(spec.schedule) }
            e.field("loss") { $0.encode(spec.loss) }
            e.field("metrics") { $0.list(spec.metrics) { $0.string($1) } }
            e.field("seed") { $0.uint(spec.seed) }
            e.field("prune") {
                $0.optional(spec.prune) { e, p in
                    e.record("asha") { e in
                        e.field("metric") { $0.string(p.metric) }
                        e.field("minimize") { $0.bool(p.minimize) }
                        e.field("min_epochs") { $0.int(p.minEpochs) }
                        e.field("reduction") { $0.int(p.reduction) }
                    }
                }
            }
            // Only for trials whose training a fix changed under unchanged settings (see `behaviourRevision`).
            if spec.behaviourRevision != 1 { e.field("revision") { $0.int(spec.behaviourRevision) } }
        }
    }

    public mutating func encode(_ data: DataSpec) throws {
        try record("data") { e in
            try e.field("source") { e in
                switch data.source {
                case .csv(let path): try e.variant("csv") { try $0.file(path) }
                case .jsonl(let path): try e.variant("jsonl") { try $0.file(path) }
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
                case .none: e.variant("none") { _ in }
                case .scale(let k): e.variant("scale") { $0.number(k) }
                case .standardize: e.variant("standardize") { _ in }
                }
            }
            e.field("split") { e in
                e.record("split") { e in
                    e.field("kind") { e in
                        switch data.split.kind {
                        case .ordered: e.variant("ordered") { _ in }
                        case .random(let seed): e.variant("random") { $0.uint(seed) }
                        case .stratified(let seed): e.variant("stratified") { $0.uint(seed) }
                        }
                    }
                    e.field("train") { $0.number(data.split.train) }
                    e.field("valid") { $0.number(data.split.valid) }
                    e.field("test") { $0.number(data.split.test) }
                }
            }
            try e.field("augment") {
                try $0.list(data.augment) { e, a in
                    // A table is known by its contents: a user's by `file`, the built-in one by its digest.
                    func source(_ e: inout Self, _ s: SynonymSource) throws {
                        switch s {
                        case .wordnet: e.variant("wordnet") { $0.string("sha256:" + SynonymSource.wordnetDigest) }
                        case .file(let path): try e.variant("file") { try $0.file(path) }
                        }
                    }
                    switch a {
                    case .noise(let std): e.variant("noise") { $0.number(std) }
                    case .mixup(let alpha): e.variant("mixup") { $0.number(alpha) }
                    case .tokenDropout(let p): e.variant("token_dropout") { $0.number(p) }
                    case .synonyms(let p, let s): try e.variant("synonyms") { $0.number(p); try source(&$0, s) }
                    case .randomInsertion(let alpha, let s): try e.variant("random_insertion") { $0.number(alpha); try source(&$0, s) }
                    case .randomSwap(let alpha): e.variant("random_swap") { $0.number(alpha) }
                    case .randomDeletion(let p): e.variant("random_deletion") { $0.number(p) }
                    case .paraphrases(let path, let p): try e.variant("paraphrases") { try $0.file(path); $0.number(p) }
                    }
                }
            }
        }
    }

    public mutating func encode(_ p: RowPredicate) {
        func operand(_ e: inout Self, _ o: RowPredicate.Operand) {
            switch o {
            case .column(let c): e.variant("column") { $0.string(c) }
            case .number(let n): e.variant("number") { $0.number(n) }
            case .string(let s): e.variant("string") { $0.string(s) }
            }
        }
        switch p {
        case .compare(let l, let op, let r):
            variant("compare") { e in
                operand(&e, l)
                e.string(op.rawValue)
                operand(&e, r)
            }
        case .and(let a, let b): variant("and") { $0.encode(a); $0.encode(b) }
        case .or(let a, let b): variant("or") { $0.encode(a); $0.encode(b) }
        case .not(let a): variant("not") { $0.encode(a) }
        }
    }

    public mutating func encode(_ model: ModelSpec) throws {
        try record("model") { e in
            // The input width is read from the data for pretrained encoders; keep it out of their identity.
            e.field("input") { $0.int(model.pretrained == nil ? model.input : 0) }
            e.field("layers") { $0.list(model.layers) { $0.encode($1) } }
            e.field("head") { $0.optional(model.head) { $0.encode($1) } }
            try e.field("pretrained") { e in
                try e.optional(model.pretrained) { e, p in
                    try e.record("pretrained") { e in
                        e.field("architecture") { $0.string(p.architecture.rawValue) }
                        try e.field("files") { try $0.modelFolder(p.directory) }
                        e.field("max_length") { $0.int(p.maxLength) }
                        e.field("pooling") { $0.string(p.pooling.rawValue) }
                        // Only when they differ from what every trial did before these settings took
                        // effect (the folder's vocab.txt, lower-casing), so those trials keep their keys.
                        // The vocabulary is named by its contents, like every file.
                        if let v = p.vocabulary { try e.field("vocab") { try $0.file(v) } }
                        if !p.lowercase { e.field("lowercase") { $0.bool(false) } }
                    }
                }
            }
        }
    }

    public mutating func encode(_ layer: LayerSpec) {
        switch layer {
        case .dense(let units, let activation):
            variant("dense") { e in
                e.int(units)
                e.optional(activation) { $0.string($1.rawValue) }
            }
        case .dropout(let p): variant("dropout") { $0.number(p) }
        case .layerNorm(let eps): variant("layer_norm") { $0.number(eps) }
        case .activation(let a): variant("activation") { $0.string(a.rawValue) }
        }
    }

    public mutating func encode(_ initialization: Initialization) throws {
        switch initialization {
        case .random: variant("random") { _ in }
        case .checkpoint(let path): try variant("checkpoint") { try $0.file(path) }
        case .upstream(let key, let rank):
            variant("upstream") { e in
                e.string(key)
                // Only for a `top(k)` selection's ranks: other upstreams keep their keys.
                if let rank { e.int(rank) }
            }
        }
    }

    public mutating func encode(_ o: OptimizerSpec) {
        record("optimizer") { e in
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
            // Only when set: trials without it keep the keys they had before it existed.
            if o.noDecay != .none { e.field("no_decay") { $0.string(o.noDecay.rawValue) } }
        }
    }

    public mutating func encode(_ s: ScheduleSpec) {
        record("schedule") { e in
            e.field("epochs") { $0.int(s.epochs) }
            e.field("batch_size") { $0.int(s.batchSize) }
            e.field("shuffle") { $0.bool(s.shuffle) }
            e.field("lr") { $0.encode(s.lr) }
            e.field("clip_grad_norm") { $0.optional(s.clipGradNorm) { $0.number($1) } }
            e.field("clip_grad_value") { $0.optional(s.clipGradValue) { $0.number($1) } }
            e.field("early_stop") {
                $0.optional(s.earlyStop) { e, es in
                    e.record("early_stop") { e in
                        e.field("metric") { $0.string(es.metric) }
                        e.field("patience") { $0.int(es.patience) }
                        e.field("minimize") { $0.bool(es.minimize) }
                        // Only when set: trials without it keep the keys they had before it existed.
                        if es.minDelta != 0 { e.field("min_delta") { $0.number(es.minDelta) } }
                    }
                }
            }
            // Only when set: trials without it keep the keys they had before it existed.
            if let kb = s.keepBest {
                e.field("keep_best") { e in
                    e.record("keep_best") { e in
                        e.field("metric") { $0.string(kb.metric) }
                        e.field("minimize") { $0.bool(kb.minimize) }
                    }
                }
            }
            if s.accumulate != 1 { e.field("accumulate") { $0.int(s.accumulate) } }
        }
    }

    public mutating func encode(_ count: StepCount) {
        switch count {
        case .steps(let n): variant("steps") { $0.int(n) }
        case .epochs(let n): variant("epochs") { $0.number(n) }
        case .fraction(let f): variant("fraction") { $0.number(f) }
        }
    }

    public mutating func encode(_ lr: LRScheduleSpec) {
        switch lr {
        case .constant: variant("constant") { _ in }
        case .step(let every, let gamma):
            variant("step") { e in
                e.field("every") { $0.encode(every) }
                e.field("gamma") { $0.number(gamma) }
            }
        case .multistep(let milestones, let gamma):
            variant("multistep") { e in
                e.field("milestones") { $0.list(milestones) { $0.encode($1) } }
                e.field("gamma") { $0.number(gamma) }
            }
        case .exponential(let gamma): variant("exponential") { e in e.field("gamma") { $0.number(gamma) } }
        case .cosine(let warmup, let min):
            variant("cosine") { e in
                e.field("warmup") { $0.encode(warmup) }
                e.field("min") { $0.number(min) }
            }
        case .linear(let warmup): variant("linear") { e in e.field("warmup") { $0.encode(warmup) } }
        case .cosineRestarts(let period, let multiplier, let min):
            variant("cosine_restarts") { e in
                e.field("period") { $0.encode(period) }
                e.field("mult") { $0.int(multiplier) }
                e.field("min") { $0.number(min) }
            }
        case .oneCycle(let maxLR, let pctStart, let anneal, let divFactor, let finalDivFactor, let threePhase):
            variant("one_cycle") { e in
                e.field("max") { $0.number(maxLR) }
                e.field("pct_start") { $0.number(pctStart) }
                e.field("anneal") { $0.string(anneal) }
                e.field("div_factor") { $0.number(divFactor) }
                e.field("final_div_factor") { $0.number(finalDivFactor) }
                e.field("three_phase") { $0.bool(threePhase) }
            }
        case .plateau(let factor, let patience, let threshold, let cooldown, let minLR):
            variant("plateau") { e in
                e.field("factor") { $0.number(factor) }
                e.field("patience") { $0.int(patience) }
                e.field("threshold") { $0.number(threshold) }
                e.field("cooldown") { $0.int(cooldown) }
                e.field("min") { $0.number(minLR) }
            }
        }
    }

    /// One criterion of weight 1 without class weights is written exactly as before sums
    /// existed (`criterion`, `penalties`), so old experiments keep their keys; class
    /// weights add `class_weights` after it, and a sum or a weighted term writes `terms`
    /// in place of `criterion`.
    public mutating func encode(_ loss: LossSpec) {
        record("loss") { e in
            if loss.terms.count == 1, loss.terms[0].weight == 1 {
                e.field("criterion") { $0.encode(loss.terms[0].criterion) }
            } else {
                e.field("terms") {
                    $0.list(loss.terms) { e, term in
                        e.record("term") { e in
                            e.field("weight") { $0.number(term.weight) }
                            e.field("criterion") { $0.encode(term.criterion) }
                            e.field("class_weights") { $0.optional(term.classWeights) { $0.encode($1) } }
                        }
                    }
                }
            }
            e.field("penalties") {
                $0.list(loss.penalties) { e, p in
                    e.variant(p.penalty.rawValue) { $0.number(p.weight) }
                }
            }
            if loss.terms.count == 1, loss.terms[0].weight == 1, let w = loss.terms[0].classWeights {
                e.field("class_weights") { $0.encode(w) }
            }
        }
    }

    public mutating func encode(_ criterion: LossSpec.Criterion) {
        switch criterion {
        case .crossEntropy(let s): variant("cross_entropy") { $0.number(s) }
        case .mse: variant("mse") { _ in }
        case .bce: variant("bce") { _ in }
        case .focal(let gamma): variant("focal") { $0.number(gamma) }
        }
    }

    public mutating func encode(_ weights: LossSpec.ClassWeights) {
        switch weights {
        case .balanced: variant("balanced") { _ in }
        case .values(let w): variant("values") { $0.list(w) { $0.number($1) } }
        }
    }
}
