import Foundation
import Plan
import Support
import XCTest

/// Task keys and `spec.json` are written by one walk over the spec
/// (`SpecWalk.swift`): every field reaches both, and every field of a
/// `TrainingSpec` is part of a trial's identity.
final class SpecEncodingTests: XCTestCase {
    /// Digests made from the path, so tests read no files and a changed path changes the key.
    private struct PathDigests: ContentDigests {
        func sha256(ofFile path: String) throws -> String { SHA256.hash(Data(("file:" + path).utf8)).hex }
        func sha256(ofModelFolder path: String) throws -> String { SHA256.hash(Data(("folder:" + path).utf8)).hex }
    }

    /// A spec with every optional set and every list non-empty, so the walk visits every field.
    private static let full: TrainingSpec = {
        var spec = TrainingSpec(
            data: DataSpec(source: .csv(path: "/data/rows.csv"), label: "y", features: ["a", "b"], text: "t", target: .classes,
                           normalize: .scale(0.5), split: SplitRule(.random(seed: 3), train: 0.6, valid: 0.2, test: 0.2),
                           augment: [.noise(std: 0.1)]),
            filter: .compare(.column("a"), .greater, .number(1)),
            model: ModelSpec(input: 4, layers: [.dense(units: 8, activation: .relu)], head: .dense(units: 3, activation: nil),
                             pretrained: PretrainedSpec(architecture: .bert, directory: "/models/bert", maxLength: 64, pooling: .mean,
                                                        vocabulary: "/vocab/cased.txt", lowercase: false)),
            initialization: .checkpoint(path: "/weights/start.safetensors"),
            freeze: ["encoder.*"], unfreeze: [UnfreezeStep(epoch: 1, patterns: ["encoder.layer.5"])],
            optimizer: OptimizerSpec(kind: .adamw, lr: 1e-3, weightDecay: 0.01, momentum: 0.5, dampening: 0.1, nesterov: true,
                                     beta1: 0.8, beta2: 0.99, eps: 1e-6, amsgrad: true, alpha: 0.9, centered: true,
                                     adagradLRDecay: 0.01, initialAccumulator: 0.1, layerLRDecay: 0.9),
            schedule: ScheduleSpec(epochs: 3, batchSize: 16, shuffle: true, lr: .cosine(warmup: .fraction(0.1), min: 0),
                                   clipGradNorm: 1, clipGradValue: 0.5,
                                   earlyStop: EarlyStopSpec(metric: "loss", patience: 2, minimize: true, minDelta: 0.01),
                                   keepBest: KeepBestSpec(metric: "valid.accuracy", minimize: false)),
            loss: LossSpec(criterion: .crossEntropy(labelSmoothing: 0.1), penalties: [.init(.l2, weight: 1e-4)]),
            metrics: ["accuracy"], seed: 7,
            prune: PruneSpec(metric: "loss", minimize: true, minEpochs: 1, reduction: 3))
        spec.reinitializeHead = true
        spec.optimizer.noDecay = .biasAndNorm
        spec.schedule.accumulate = 4
        spec.parameterGroups = [ParameterGroupSpec(patterns: ["head"], lr: 1e-2, weightDecay: 0)]
        return spec
    }()

    /// One change to each field, by its path in the spec's stored properties (`[]`: in each list element).
    /// A field added to a spec type fails `testEveryFieldHasAMutation` until it is listed here.
    private static let mutations: [String: @Sendable (inout TrainingSpec) -> Void] = [
        "data.source": { $0.data.source = .jsonl(path: "/data/rows.csv") },
        "data.label": { $0.data.label = "z" },
        "data.features": { $0.data.features = ["a"] },
        "data.text": { $0.data.text = nil },
        "data.target": { $0.data.target = .binary },
        "data.normalize": { $0.data.normalize = .standardize },
        "data.split.kind": { $0.data.split.kind = .stratified(seed: 3) },
        "data.split.train": { $0.data.split.train = 0.5 },
        "data.split.valid": { $0.data.split.valid = 0.3 },
        "data.split.test": { $0.data.split.test = 0.1 },
        "data.augment": { $0.data.augment = [.mixup(alpha: 0.1)] },
        "filter": { $0.filter = .not(.compare(.column("a"), .greater, .number(1))) },
        // Read from the data for pretrained encoders, so part of the identity of MLPs only.
        "model.input": { $0.model.pretrained = nil; $0.model.input = 5 },
        "model.layers": { $0.model.layers = [.dense(units: 8, activation: .gelu)] },
        "model.head": { $0.model.head = .dense(units: 2, activation: nil) },
        "model.pretrained.directory": { $0.model.pretrained?.directory = "/models/other" },
        "model.pretrained.maxLength": { $0.model.pretrained?.maxLength = 128 },
        "model.pretrained.pooling": { $0.model.pretrained?.pooling = .cls },
        "model.pretrained.vocabulary": { $0.model.pretrained?.vocabulary = "/vocab/other.txt" },
        "model.pretrained.lowercase": { $0.model.pretrained?.lowercase = true },
        "initialization": { $0.initialization = .checkpoint(path: "/weights/other.safetensors") },
        "freeze": { $0.freeze = ["encoder.layer.0"] },
        "unfreeze[].at": { $0.unfreeze[0].at = .step(1) },
        "unfreeze[].patterns": { $0.unfreeze[0].patterns = ["head"] },
        "optimizer.kind": { $0.optimizer.kind = .adam },
        "optimizer.lr": { $0.optimizer.lr = 2e-3 },
        "optimizer.weightDecay": { $0.optimizer.weightDecay = 0.02 },
        "optimizer.momentum": { $0.optimizer.momentum = 0.9 },
        "optimizer.dampening": { $0.optimizer.dampening = 0 },
        "optimizer.nesterov": { $0.optimizer.nesterov = false },
        "optimizer.beta1": { $0.optimizer.beta1 = 0.9 },
        "optimizer.beta2": { $0.optimizer.beta2 = 0.999 },
        "optimizer.eps": { $0.optimizer.eps = 1e-8 },
        "optimizer.amsgrad": { $0.optimizer.amsgrad = false },
        "optimizer.alpha": { $0.optimizer.alpha = 0.99 },
        "optimizer.centered": { $0.optimizer.centered = false },
        "optimizer.adagradLRDecay": { $0.optimizer.adagradLRDecay = 0 },
        "optimizer.initialAccumulator": { $0.optimizer.initialAccumulator = 0 },
        "optimizer.layerLRDecay": { $0.optimizer.layerLRDecay = 1 },
        "optimizer.noDecay": { $0.optimizer.noDecay = .none },
        "parameterGroups[].patterns": { $0.parameterGroups[0].patterns = ["encoder.layer.5"] },
        "parameterGroups[].lr": { $0.parameterGroups[0].lr = nil },
        "parameterGroups[].weightDecay": { $0.parameterGroups[0].weightDecay = 0.1 },
        "schedule.accumulate": { $0.schedule.accumulate = 1 },
        "schedule.epochs": { $0.schedule.epochs = 4 },
        "schedule.batchSize": { $0.schedule.batchSize = 32 },
        "schedule.shuffle": { $0.schedule.shuffle = false },
        "schedule.lr": { $0.schedule.lr = .cosine(warmup: .fraction(0.2), min: 0) },
        "schedule.clipGradNorm": { $0.schedule.clipGradNorm = 2 },
        "schedule.clipGradValue": { $0.schedule.clipGradValue = nil },
        "schedule.earlyStop.metric": { $0.schedule.earlyStop?.metric = "accuracy" },
        "schedule.earlyStop.patience": { $0.schedule.earlyStop?.patience = 3 },
        "schedule.earlyStop.minimize": { $0.schedule.earlyStop?.minimize = false },
        "schedule.earlyStop.minDelta": { $0.schedule.earlyStop?.minDelta = 0.02 },
        "loss.terms[].criterion": { $0.loss.terms[0].criterion = .crossEntropy(labelSmoothing: 0.2) },
        "loss.terms[].weight": { $0.loss.terms[0].weight = 0.5 },
        "loss.terms[].classWeights": { $0.loss.terms[0].classWeights = .balanced },
        "schedule.keepBest.metric": { $0.schedule.keepBest?.metric = "valid.f1" },
        "schedule.keepBest.minimize": { $0.schedule.keepBest?.minimize = true },
        "loss.penalties[].penalty": { $0.loss.penalties[0].penalty = .l1 },
        "loss.penalties[].weight": { $0.loss.penalties[0].weight = 2e-4 },
        "metrics": { $0.metrics = ["f1"] },
        "seed": { $0.seed = 8 },
        "prune.metric": { $0.prune?.metric = "accuracy" },
        "prune.minimize": { $0.prune?.minimize = false },
        "prune.minEpochs": { $0.prune?.minEpochs = 2 },
        "prune.reduction": { $0.prune?.reduction = 2 },
        "reinitializeHead": { $0.reinitializeHead = false },
    ]

    /// Fields that cannot differ yet, each with the reason.
    private static let unmutable: [String: String] = [
        "model.pretrained.architecture": "BERT is the only architecture",
    ]

    /// Every stored property of the spec, recursively through structs, optionals and list elements.
    private static func fieldPaths(of value: Any, at path: String = "") -> [String] {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct:
            return mirror.children.flatMap { child in
                fieldPaths(of: child.value, at: path.isEmpty ? child.label! : path + "." + child.label!)
            }
        case .optional:
            return mirror.children.first.map { fieldPaths(of: $0.value, at: path) } ?? [path]
        case .collection:
            if let first = mirror.children.first, Mirror(reflecting: first.value).displayStyle == .struct {
                return fieldPaths(of: first.value, at: path + "[]")
            }
            return [path]
        default:
            return [path]
        }
    }

    private func canonicalBytes(_ spec: TrainingSpec) throws -> [UInt8] {
        try TaskKey.canonicalBytes(kind: .train, payload: .train(spec), deps: [], digests: PathDigests())
    }

    private func specJSON(_ spec: TrainingSpec) throws -> JSONValue {
        try SpecJSON.encode(PlannedTask(key: "k", kind: .train, stage: "s", deps: [], payload: .train(spec)))
    }

    func testEveryFieldHasAMutation() {
        let fields = Set(Self.fieldPaths(of: Self.full))
        XCTAssertTrue(fields.contains("schedule.earlyStop.minDelta") && fields.contains("loss.penalties[].weight"),
                      "the walk over stored properties reaches nested optionals and list elements")
        let covered = Set(Self.mutations.keys).union(Self.unmutable.keys)
        XCTAssertEqual(fields.subtracting(covered).sorted(), [],
                       "a TrainingSpec field without a mutation here: add it to the spec walk (SpecWalk.swift) and a change of it to `mutations`")
        XCTAssertEqual(covered.subtracting(fields).sorted(), [], "mutations of fields that no longer exist")
    }

    func testChangingAnyFieldChangesTheKeyAndSpecJSON() throws {
        for (path, mutate) in Self.mutations.sorted(by: { $0.key < $1.key }) {
            var changed = Self.full
            mutate(&changed)
            XCTAssertNotEqual(changed, Self.full, "\(path): the mutation changes nothing")
            var before = Self.full
            if path == "model.input" { before.model.pretrained = nil }
            XCTAssertTrue(try canonicalBytes(changed) != canonicalBytes(before), "\(path) is not part of the task key")
            XCTAssertTrue(try specJSON(changed) != specJSON(before), "\(path) is missing from spec.json")
        }
    }

    /// Settings added after keys were pinned are written only when set: a spec without
    /// them encodes exactly as before they existed (no `keep_best` field, `epoch` for an
    /// epoch-based unfreeze), and one with them differs.
    func testNewSettingsAreWrittenOnlyWhenSet() throws {
        var plain = Self.full
        plain.schedule.keepBest = nil
        let schedule = try XCTUnwrap(try specJSON(plain)["payload"]?["train-task"]?["schedule"]?.objectValue)
        XCTAssertFalse(schedule.contains { $0.key == "keep_best" })
        let unfreeze = try XCTUnwrap(try specJSON(plain)["payload"]?["train-task"]?["unfreeze"]?.arrayValue)
        XCTAssertEqual(unfreeze.first?["epoch"], .int(1))
        XCTAssertNil(unfreeze.first?["step"])
        var steps = plain
        steps.unfreeze[0].at = .step(1)
        XCTAssertEqual(try specJSON(steps)["payload"]?["train-task"]?["unfreeze"]?.arrayValue?.first?["step"], .int(1))
        XCTAssertTrue(try canonicalBytes(steps) != canonicalBytes(plain), "1 step and 1 epoch are different trials")
    }

    /// Trials whose training an issue-14 fix changed under settings that encode as before
    /// carry `revision: 2`, so a store made while the setting was ignored is not reused for
    /// them; every other trial keeps its key (no `revision` field).
    func testOnlyTrialsAFixChangedCarryARevision() throws {
        var plain = Self.full
        plain.model.pretrained = nil
        plain.data.augment = [.noise(std: 0.1)]
        plain.schedule.earlyStop?.metric = "train.loss"
        plain.prune?.metric = "valid.accuracy"
        func revision(_ spec: TrainingSpec) throws -> JSONValue? { try specJSON(spec)["payload"]?["train-task"]?["revision"] }
        XCTAssertNil(try revision(plain), "an MLP with lr_decay, noise, early stopping on train.loss: trained as before")
        var adagrad = plain
        adagrad.optimizer.kind = .adagrad
        adagrad.optimizer.eps = 1e-10
        XCTAssertNil(try revision(adagrad), "Adagrad always ran with eps 1e-10")
        let changed: [(String, (inout TrainingSpec) -> Void)] = [
            ("lr_decay on a pretrained encoder", { $0.model.pretrained = Self.full.model.pretrained }),
            ("token dropout", { $0.data.augment = [.tokenDropout(p: 0.1)] }),
            ("Adagrad's eps", { $0.optimizer.kind = .adagrad; $0.optimizer.eps = 1e-8 }),
            ("early stopping on train.accuracy", { $0.schedule.earlyStop?.metric = "train.accuracy" }),
            ("ASHA on train.f1", { $0.prune?.metric = "train.f1" }),
        ]
        for (what, change) in changed {
            var spec = plain
            change(&spec)
            XCTAssertEqual(try revision(spec), .int(2), what)
            XCTAssertEqual(spec.behaviourRevision, 2, what)
        }
    }

    /// Every text augmentation, its parameter and its table are part of the key and of spec.json:
    /// the built-in synonym table by its digest, a user's table by its contents.
    func testTextAugmentationsAreEachTheirOwnTrial() throws {
        let variants: [[Augmentation]] = [
            [], [.synonyms(p: 0.1, source: .wordnet)], [.synonyms(p: 0.2, source: .wordnet)], [.synonyms(p: 0.1, source: .file("/data/s.csv"))],
            [.synonyms(p: 0.1, source: .file("/data/t.csv"))], [.randomInsertion(alpha: 0.1, source: .wordnet)],
            [.randomInsertion(alpha: 0.1, source: .file("/data/s.csv"))], [.randomSwap(alpha: 0.1)], [.randomSwap(alpha: 0.3)],
            [.randomDeletion(p: 0.1)], [.paraphrases(path: "/data/p.csv", p: 0.5)], [.paraphrases(path: "/data/q.csv", p: 0.5)],
            [.paraphrases(path: "/data/p.csv", p: 0.7)], [.randomSwap(alpha: 0.1), .randomDeletion(p: 0.1)], [.randomDeletion(p: 0.1), .randomSwap(alpha: 0.1)],
        ]
        var keys = Set<[UInt8]>(), json = Set<String>()
        for augment in variants {
            var spec = Self.full
            spec.data.augment = augment
            keys.insert(try canonicalBytes(spec))
            json.insert(try specJSON(spec).description)
        }
        XCTAssertEqual(keys.count, variants.count)
        XCTAssertEqual(json.count, variants.count)
        var wordnet = Self.full
        wordnet.data.augment = [.synonyms(p: 0.1, source: .wordnet)]
        XCTAssertTrue(String(decoding: try canonicalBytes(wordnet), as: UTF8.self).contains("sha256:" + SynonymSource.wordnetDigest))
    }

    func testAPretrainedEncodersInputWidthIsNotPartOfItsKey() throws {
        var wider = Self.full
        wider.model.input = 100
        XCTAssertTrue(try canonicalBytes(wider) == canonicalBytes(Self.full))
    }

    /// The canonical encoding has exactly the fields the walk wrote, in order; spec.json's
    /// keys are those fields plus the tags of the variants that have content, in order.
    func testEveryFieldOfTheKeyIsInSpecJSONUnderTheSameName() throws {
        for payload: PlannedTask.Payload in [.train(Self.full), .eval(trainKey: "t", spec: Self.full), .data(Self.full.data),
                                             .select(metric: "valid.loss", minimize: true, candidates: ["a", "b"]),
                                             .ensemble(metric: "valid.f1", minimize: false, k: 2, candidates: ["a"])] {
            var recorder = FieldRecorder()
            try recorder.encode(payload)
            var canonical = CanonicalEncoder(digests: PathDigests())
            try canonical.encode(payload)
            XCTAssertEqual(Self.fieldNames(inCanonical: canonical.bytes), recorder.fields)
            var json = SpecJSONWriter()
            try json.encode(payload)
            XCTAssertEqual(Self.keys(of: json.value), recorder.keys)
            XCTAssertFalse(recorder.fields.isEmpty)
        }
    }

    func testSpecJSONNamesFilesByPathAndSeedsExactly() throws {
        var spec = Self.full
        spec.seed = UInt64.max
        let training = try XCTUnwrap(try specJSON(spec)["payload"]?["train-task"])
        XCTAssertEqual(training["data"]?["source"], ["csv": "/data/rows.csv"])
        XCTAssertEqual(training["model"]?["pretrained"]?["files"], "/models/bert")
        XCTAssertEqual(training["init"], ["checkpoint": "/weights/start.safetensors"])
        XCTAssertEqual(training["seed"], .string("18446744073709551615"))
        XCTAssertEqual(training["optimizer"]?["lr"]?.doubleValue, 1e-3)
        XCTAssertEqual(training["schedule"]?["lr"], ["cosine": ["warmup": ["fraction": 0.1], "min": 0.0]])
        XCTAssertEqual(training["model"]?["layers"], [["dense": [8, "relu"]]])
        XCTAssertEqual(training["schedule"]?["early_stop"]?["min_delta"]?.doubleValue, 0.01)
        let text = JSONWriter.encode(try specJSON(spec))
        XCTAssertEqual(try JSONParser.parse(text), try specJSON(spec), "spec.json is JSON that reads back as written")
    }

    // MARK: Reading the encodings back

    /// The ` :name` field markers of a canonical encoding, in order (strings are length-prefixed, so skipped exactly).
    private static func fieldNames(inCanonical bytes: [UInt8]) -> [String] {
        var names: [String] = [], i = 0
        func isNameByte(_ b: UInt8) -> Bool { b != 0x20 && b != 0x28 && b != 0x29 && b != 0x5B && b != 0x5D }
        while i < bytes.count {
            if bytes[i] == 0x20, i + 1 < bytes.count {
                switch bytes[i + 1] {
                case UInt8(ascii: ":"):
                    var j = i + 2
                    while j < bytes.count, isNameByte(bytes[j]) { j += 1 }
                    names.append(String(decoding: bytes[(i + 2)..<j], as: UTF8.self))
                    i = j
                    continue
                case UInt8(ascii: "s"):
                    var j = i + 2, length = 0
                    while bytes[j] != UInt8(ascii: ":") { length = length * 10 + Int(bytes[j] - 0x30); j += 1 }
                    i = j + 1 + length
                    continue
                default: break
                }
            }
            i += 1
        }
        return names
    }

    /// Every object key of `value`, depth first in document order.
    private static func keys(of value: JSONValue) -> [String] {
        switch value {
        case .object(let members): return members.flatMap { [$0.key] + keys(of: $0.value) }
        case .array(let items): return items.flatMap(keys(of:))
        default: return []
        }
    }
}

/// A third writer: what the walk emits, as the field names (for the canonical
/// encoding) and the JSON keys (field names and the tags of variants with content).
private struct FieldRecorder: SpecWriter {
    var fields: [String] = []
    var keys: [String] = []
    private var wrote = false

    mutating func record(_ tag: String, _ body: (inout FieldRecorder) throws -> Void) rethrows {
        wrote = true
        try body(&self)
    }

    mutating func variant(_ tag: String, _ body: (inout FieldRecorder) throws -> Void) rethrows {
        var inner = FieldRecorder()
        try body(&inner)
        if inner.wrote { keys.append(tag) }
        fields += inner.fields
        keys += inner.keys
        wrote = true
    }

    mutating func field(_ name: String, _ body: (inout FieldRecorder) throws -> Void) rethrows {
        fields.append(name)
        keys.append(name)
        try body(&self)
        wrote = true
    }

    mutating func number(_ x: Double) { wrote = true }
    mutating func int(_ n: Int) { wrote = true }
    mutating func uint(_ n: UInt64) { wrote = true }
    mutating func bool(_ b: Bool) { wrote = true }
    mutating func string(_ s: String) { wrote = true }
    mutating func null() { wrote = true }

    mutating func list<T>(_ items: [T], _ each: (inout FieldRecorder, T) throws -> Void) rethrows {
        wrote = true
        for item in items { try each(&self, item) }
    }

    mutating func file(_ path: String) { wrote = true }
    mutating func modelFolder(_ path: String) { wrote = true }
}
