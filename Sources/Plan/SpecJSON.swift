import Foundation
import Support

/// Human-readable JSON of resolved payloads, for the store's `spec.json`.
///
/// Not a key encoding (the planner owns task keys); it exists so a person (or
/// `ftx results`) can see exactly what a stored task ran.
public enum SpecJSON {
    /// A task's payload.
    public static func encode(_ task: PlannedTask) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("key", .string(task.key)), ("kind", .string(task.kind.rawValue)), ("stage", .string(task.stage)),
            ("deps", .array(task.deps.map { .string($0) })),
        ]
        switch task.payload {
        case .data(let d): members.append(("data", encode(d)))
        case .features(let s): members.append(("training", encode(s)))
        case .train(let s): members.append(("training", encode(s)))
        case let .eval(trainKey, s):
            members.append(("train", .string(trainKey)))
            members.append(("training", encode(s)))
        case let .select(metric, minimize, candidates):
            members += [("metric", .string(metric)), ("minimize", .bool(minimize)),
                        ("candidates", .array(candidates.map { .string($0) }))]
        case let .ensemble(metric, minimize, k, candidates):
            members += [("metric", .string(metric)), ("minimize", .bool(minimize)), ("k", .int(k)),
                        ("candidates", .array(candidates.map { .string($0) }))]
        }
        return .object(members)
    }

    /// A training spec.
    public static func encode(_ s: TrainingSpec) -> JSONValue {
        let initJSON: JSONValue
        switch s.initialization {
        case .random: initJSON = "random"
        case .checkpoint(let p): initJSON = ["checkpoint": .string(p)]
        case .upstream(let k): initJSON = ["upstream": .string(k)]
        }
        return [
            "data": encode(s.data),
            "filter": s.filter.map { .string($0.description) } ?? .null,
            "model": encode(s.model),
            "init": initJSON,
            "reinitialize_head": .bool(s.reinitializeHead),
            "freeze": .array(s.freeze.map { .string($0) }),
            "unfreeze": .array(s.unfreeze.map { ["epoch": .int($0.epoch), "patterns": .array($0.patterns.map { .string($0) })] }),
            "optimizer": encode(s.optimizer),
            "schedule": encode(s.schedule),
            "loss": encode(s.loss),
            "metrics": .array(s.metrics.map { .string($0) }),
            "seed": .string(String(s.seed)),
            "prune": s.prune.map { ["metric": .string($0.metric), "minimize": .bool($0.minimize),
                                    "min_epochs": .int($0.minEpochs), "reduction": .int($0.reduction)] } ?? .null,
        ]
    }

    /// A data spec.
    public static func encode(_ d: DataSpec) -> JSONValue {
        let source: JSONValue
        switch d.source {
        case .csv(let p): source = ["csv": .string(p)]
        case .jsonl(let p): source = ["jsonl": .string(p)]
        }
        let normalize: JSONValue
        switch d.normalize {
        case .none: normalize = "none"
        case .scale(let k): normalize = ["scale": .double(k)]
        case .standardize: normalize = "standardize"
        }
        let kind: JSONValue
        switch d.split.kind {
        case .ordered: kind = "ordered"
        case .random(let seed): kind = ["random": .string(String(seed))]
        case .stratified(let seed): kind = ["stratified": .string(String(seed))]
        }
        let target: String
        switch d.target {
        case .classes: target = "classes"
        case .binary: target = "binary"
        case .regression: target = "regression"
        }
        return [
            "source": source,
            "label": d.label.map { .string($0) } ?? .null,
            "features": d.features.map { .array($0.map { .string($0) }) } ?? .null,
            "text": d.text.map { .string($0) } ?? .null,
            "target": .string(target),
            "normalize": normalize,
            "split": ["kind": kind, "train": .double(d.split.train), "valid": .double(d.split.valid), "test": .double(d.split.test)],
            "augment": .array(d.augment.map { a -> JSONValue in
                switch a {
                case .noise(let std): return ["noise": .double(std)]
                case .mixup(let alpha): return ["mixup": .double(alpha)]
                case .tokenDropout(let p): return ["token_dropout": .double(p)]
                }
            }),
        ]
    }

    static func encode(_ layer: LayerSpec) -> JSONValue {
        switch layer {
        case let .dense(units, activation):
            return ["dense": .int(units), "activation": activation.map { .string($0.rawValue) } ?? .null]
        case .dropout(let p): return ["dropout": .double(p)]
        case .layerNorm(let eps): return ["layer_norm": .double(eps)]
        case .activation(let a): return ["activation": .string(a.rawValue)]
        }
    }

    static func encode(_ m: ModelSpec) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("input", .int(m.input)), ("layers", .array(m.layers.map(encode))), ("head", m.head.map(encode) ?? .null),
        ]
        if let p = m.pretrained {
            members.append(("pretrained", ["architecture": .string(p.architecture.rawValue), "directory": .string(p.directory),
                                           "max_length": .int(p.maxLength), "pooling": .string(p.pooling.rawValue)]))
        }
        return .object(members)
    }

    static func encode(_ o: OptimizerSpec) -> JSONValue {
        [
            "kind": .string(o.kind.rawValue), "lr": .double(o.lr), "weight_decay": .double(o.weightDecay),
            "momentum": .double(o.momentum), "dampening": .double(o.dampening), "nesterov": .bool(o.nesterov),
            "betas": [.double(o.beta1), .double(o.beta2)], "eps": .double(o.eps), "amsgrad": .bool(o.amsgrad),
            "alpha": .double(o.alpha), "centered": .bool(o.centered), "lr_decay": .double(o.adagradLRDecay),
            "initial_accumulator_value": .double(o.initialAccumulator), "layer_lr_decay": .double(o.layerLRDecay),
        ]
    }

    static func encode(_ c: StepCount) -> JSONValue {
        switch c {
        case .steps(let n): return ["steps": .int(n)]
        case .epochs(let e): return ["epochs": .double(e)]
        case .fraction(let f): return ["fraction": .double(f)]
        }
    }

    static func encode(_ lr: LRScheduleSpec) -> JSONValue {
        switch lr {
        case .constant: return "constant"
        case let .step(every, gamma): return ["step": ["every": encode(every), "gamma": .double(gamma)]]
        case let .multistep(ms, gamma): return ["multistep": ["milestones": .array(ms.map(encode)), "gamma": .double(gamma)]]
        case let .exponential(gamma): return ["exponential": ["gamma": .double(gamma)]]
        case let .cosine(warmup, min): return ["cosine": ["warmup": encode(warmup), "min": .double(min)]]
        case let .linear(warmup): return ["linear": ["warmup": encode(warmup)]]
        case let .cosineRestarts(period, mult, min):
            return ["cosine_restarts": ["period": encode(period), "multiplier": .int(mult), "min": .double(min)]]
        case let .oneCycle(maxLR, pct, anneal, div, finalDiv, three):
            return ["one_cycle": ["max": .double(maxLR), "pct_start": .double(pct), "anneal": .string(anneal),
                                  "div_factor": .double(div), "final_div_factor": .double(finalDiv), "three_phase": .bool(three)]]
        case let .plateau(factor, patience, threshold, cooldown, minLR):
            return ["plateau": ["factor": .double(factor), "patience": .int(patience), "threshold": .double(threshold),
                                "cooldown": .int(cooldown), "min_lr": .double(minLR)]]
        }
    }

    static func encode(_ s: ScheduleSpec) -> JSONValue {
        [
            "epochs": .int(s.epochs), "batch_size": .int(s.batchSize), "shuffle": .bool(s.shuffle), "lr": encode(s.lr),
            "clip_grad_norm": s.clipGradNorm.map { .double($0) } ?? .null,
            "clip_grad_value": s.clipGradValue.map { .double($0) } ?? .null,
            "early_stop": s.earlyStop.map { ["metric": .string($0.metric), "patience": .int($0.patience), "minimize": .bool($0.minimize),
                                             "min_delta": .double($0.minDelta)] } ?? .null,
        ]
    }

    static func encode(_ l: LossSpec) -> JSONValue {
        let criterion: JSONValue
        switch l.criterion {
        case .crossEntropy(let s): criterion = ["cross_entropy": ["label_smoothing": .double(s)]]
        case .mse: criterion = "mse"
        case .bce: criterion = "bce"
        }
        return ["criterion": criterion,
                "penalties": .array(l.penalties.map { ["penalty": .string($0.penalty.rawValue), "weight": .double($0.weight)] })]
    }
}
