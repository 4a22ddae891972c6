import Foundation
import Plan
import Support

/// Compares two checked experiments setting by setting, on canonical values:
/// spelling, layout, comments, declaration order and key order never show,
/// because the checker has already folded them away (`3e-4` and `0.0003` are
/// one `Value`, records are in schema order, defaults are filled in).
///
/// Declarations are matched by name. A declaration present on one side only
/// whose content equals one present on the other side only — after the other
/// renames are applied to its references (`init`, `data`, `model`) — is one
/// `renamed` change, not a removal and an addition.
struct SettingsDiffer {
    let old: CheckedExperiment
    let new: CheckedExperiment
    let digests: FileDigests
    private(set) var changes: [DiffChange] = []
    /// Old name → new name, for every declaration present on both sides (renamed or not).
    private(set) var dataNames: [String: String] = [:]
    private(set) var modelNames: [String: String] = [:]
    private(set) var stageNames: [String: String] = [:]

    init(old: CheckedExperiment, new: CheckedExperiment, digests: FileDigests) {
        self.old = old
        self.new = new
        self.digests = digests
    }

    mutating func run() {
        matchDeclarations()
        if old.name != new.name {
            changes.append(DiffChange(.renamed, .setting, path: "experiment", old: Value(.symbol(old.name)), new: Value(.symbol(new.name))))
        }
        if old.seed != new.seed {
            changes.append(DiffChange(.changed, .setting, path: "experiment.seed", old: Value(.number(Double(old.seed))), new: Value(.number(Double(new.seed)))))
        }
        diff(Self.resourcesValue(old.resources), Self.resourcesValue(new.resources), "experiment.resources")
        compareData()
        compareModels()
        compareStages()
    }

    /// A `resources` block as a record of the fields it sets, spelled as `sbatch` reads them, so
    /// blocks compare field by field (`stage.train.resources.memory: "8G" → "16G"`).
    static func resourcesValue(_ resources: JobResources) -> Value {
        var fields: [Value.Field] = []
        if let cpus = resources.cpus { fields.append(Value.Field("cpus", Value(.number(Double(cpus))))) }
        if let mb = resources.memoryMegabytes { fields.append(Value.Field("memory", Value(.string(JobResources.memoryText(megabytes: mb))))) }
        if let seconds = resources.timeSeconds { fields.append(Value.Field("time", Value(.string(JobResources.timeText(seconds: seconds))))) }
        if let partition = resources.partition { fields.append(Value.Field("partition", Value(.string(partition)))) }
        return Value(.record(fields))
    }

    // MARK: Matching and renames

    private mutating func matchDeclarations() {
        dataNames = Self.match(old.data.map(\.name), new.data.map(\.name)) { o, n in
            old.data(named: o)?.settings == new.data(named: n)?.settings
        }
        modelNames = Self.match(old.models.map(\.name), new.models.map(\.name)) { o, n in
            old.model(named: o)?.settings == new.model(named: n)?.settings
        }
        // Stages refer to each other through `init`: match upstream stages first, so a
        // renamed upstream maps before its downstream stage is compared.
        var names = Dictionary(uniqueKeysWithValues: Set(old.stages.map(\.name)).intersection(new.stages.map(\.name)).map { ($0, $0) })
        stageNames = names
        var progress = true
        while progress {
            progress = false
            for o in old.stagesInDependencyOrder where names[o.name] == nil {
                let taken = Set(names.values)
                guard let n = new.stagesInDependencyOrder.first(where: { !taken.contains($0.name) && old.stage(named: $0.name) == nil && sameContent(o, $0) }) else { continue }
                names[o.name] = n.name
                stageNames = names
                progress = true
            }
        }
    }

    /// Names on both sides map to themselves; each old-only name whose content
    /// equals a new-only name's maps to the first such.
    private static func match(_ oldNames: [String], _ newNames: [String], same: (String, String) -> Bool) -> [String: String] {
        var map: [String: String] = [:]
        for name in oldNames where newNames.contains(name) { map[name] = name }
        var taken = Set(map.values)
        for o in oldNames where map[o] == nil {
            if let n = newNames.first(where: { !taken.contains($0) && !oldNames.contains($0) && same(o, $0) }) {
                map[o] = n
                taken.insert(n)
            }
        }
        return map
    }

    private func sameContent(_ o: CheckedStage, _ n: CheckedStage) -> Bool {
        guard renamingReferences(o.settings) == n.settings, o.select == n.select, o.ensemble == n.ensemble,
              o.prune == n.prune, o.sweeps.count == n.sweeps.count else { return false }
        for (a, b) in zip(o.sweeps, n.sweeps) {
            guard a.kind == b.kind, a.axes.count == b.axes.count else { return false }
            for (x, y) in zip(renamingReferences(a).axes, b.axes) where x.path != y.path || x.values != y.values || x.generator != y.generator {
                return false
            }
        }
        return true
    }

    /// An old stage's settings with references to renamed declarations spelled with their new names.
    private func renamingReferences(_ settings: Value) -> Value {
        var s = settings
        for key in ["model", "data", "init"] {
            if let v = s[key] { s = s.setting(key, to: renamingReference(v, key: key)) }
        }
        return s
    }

    private func renamingReferences(_ sweep: CheckedSweep) -> CheckedSweep {
        var copy = sweep
        for i in copy.axes.indices where copy.axes[i].path.count == 1 {
            let key = copy.axes[i].path[0]
            copy.axes[i].values = copy.axes[i].values.map { renamingReference($0, key: key) }
        }
        return copy
    }

    /// `model = mlp`, `data = digits where …`, `init = pretrain` / `best(pretrain)`.
    private func renamingReference(_ value: Value, key: String) -> Value {
        let names: [String: String]
        switch key {
        case "model": names = modelNames
        case "data": names = dataNames
        case "init": names = stageNames
        default: return value
        }
        var v = value
        switch value.kind {
        case .symbol(let s):
            v.kind = .symbol(names[s] ?? s)
        case .call(let callee, var positional, var named) where callee == "where" || callee == "best":
            if let first = positional.first?.symbol {
                positional[0].kind = .symbol(names[first] ?? first)
            } else if let i = named.indices.first, let first = named[i].value.symbol {
                named[i].value.kind = .symbol(names[first] ?? first)
            }
            v.kind = .call(name: callee, positional: positional, named: named)
        default:
            break
        }
        return v
    }

    private func inverse(_ names: [String: String]) -> [String: String] {
        Dictionary(names.map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: Declarations

    private mutating func compareData() {
        let oldOf = inverse(dataNames)
        for n in new.data {
            let path = "data.\(n.name)"
            guard let oldName = oldOf[n.name], let o = old.data(named: oldName) else {
                changes.append(DiffChange(.added, .declaration, path: path, old: nil, new: n.settings))
                continue
            }
            if oldName != n.name { changes.append(rename("data", oldName, n.name)) }
            diff(o.settings, n.settings, path)
            compareContents(path + ".contents", file(o.resolvedPath), file(n.resolvedPath))
        }
        for o in old.data where dataNames[o.name] == nil {
            changes.append(DiffChange(.removed, .declaration, path: "data.\(o.name)", old: o.settings, new: nil))
        }
    }

    private mutating func compareModels() {
        let oldOf = inverse(modelNames)
        for n in new.models {
            let path = "model.\(n.name)"
            guard let oldName = oldOf[n.name], let o = old.model(named: oldName) else {
                changes.append(DiffChange(.added, .declaration, path: path, old: nil, new: n.settings))
                continue
            }
            if oldName != n.name { changes.append(rename("model", oldName, n.name)) }
            diff(o.settings, n.settings, path)
            if case .bert(let a, _) = o.architecture, case .bert(let b, _) = n.architecture {
                compareContents(path + ".contents", folder(a), folder(b))
            }
        }
        for o in old.models where modelNames[o.name] == nil {
            changes.append(DiffChange(.removed, .declaration, path: "model.\(o.name)", old: o.settings, new: nil))
        }
    }

    private mutating func compareStages() {
        let oldOf = inverse(stageNames)
        for n in new.stagesInDependencyOrder {
            let path = "stage.\(n.name)"
            guard let oldName = oldOf[n.name], let o = old.stage(named: oldName) else {
                changes.append(DiffChange(.added, .declaration, path: path, old: nil, new: n.settings))
                continue
            }
            if oldName != n.name { changes.append(rename("stage", oldName, n.name)) }
            // A stage's `seed` holds the experiment's when the stage sets none: a changed
            // `experiment.seed` is reported once, not again for every stage that inherits it.
            let inherited = o.settings["seed"]?.number == Double(old.seed) && n.settings["seed"]?.number == Double(new.seed)
            diff(inherited ? Self.removing("seed", renamingReferences(o.settings)) : renamingReferences(o.settings),
                 inherited ? Self.removing("seed", n.settings) : n.settings, path)
            compareSweeps(o.sweeps.map(renamingReferences), n.sweeps, path: path + ".sweep")
            diff(o.select, n.select, path + ".select")
            diff(o.ensemble, n.ensemble, path + ".ensemble")
            diff(o.prune, n.prune, path + ".prune")
            // The stage's own block: a changed experiment default is reported once, under `experiment.resources`.
            diff(Self.resourcesValue(o.resources), Self.resourcesValue(n.resources), path + ".resources")
            if case .checkpoint(let a) = o.initialization, case .checkpoint(let b) = n.initialization {
                compareContents(path + ".init.contents", file(a), file(b))
            }
        }
        for o in old.stagesInDependencyOrder where stageNames[o.name] == nil {
            changes.append(DiffChange(.removed, .declaration, path: "stage.\(o.name)", old: o.settings, new: nil))
        }
    }

    private static func removing(_ name: String, _ settings: Value) -> Value {
        guard case .record(let fields) = settings.kind else { return settings }
        var copy = settings
        copy.kind = .record(fields.filter { $0.name != name })
        return copy
    }

    private func rename(_ kind: String, _ from: String, _ to: String) -> DiffChange {
        DiffChange(.renamed, .declaration, path: "\(kind).\(from)", old: Value(.symbol(from)), new: Value(.symbol(to)))
    }

    // MARK: File contents

    private func file(_ path: String) -> String? {
        guard !path.isEmpty else { return nil }
        return try? digests.digest(ofFile: TrialLowering.absoluteFromWorkingDirectory(path)).sha256
    }

    private func folder(_ path: String) -> String? {
        try? digests.digest(ofModelFolder: TrialLowering.absoluteFromWorkingDirectory(path))
    }

    private mutating func compareContents(_ path: String, _ a: String?, _ b: String?) {
        guard let a, let b, a != b else { return }
        changes.append(DiffChange(.changed, .contents, path: path, old: Value(.string("sha256:" + a)), new: Value(.string("sha256:" + b))))
    }

    // MARK: Values

    /// Records and same-named calls compare field by field; lists of calls or
    /// records of equal length element by element (`layers.0.units`); anything
    /// else (and `where` conditions) as a whole.
    mutating func diff(_ a: Value?, _ b: Value?, _ path: String) {
        switch (a, b) {
        case (nil, nil):
            return
        case (nil, let b?):
            changes.append(DiffChange(.added, .setting, path: path, old: nil, new: b))
        case (let a?, nil):
            changes.append(DiffChange(.removed, .setting, path: path, old: a, new: nil))
        case (let a?, let b?):
            if a == b { return }
            switch (a.kind, b.kind) {
            case (.record(let fa), .record(let fb)):
                diffFields(fa, fb, path)
            case (.call(let na, let pa, let fa), .call(let nb, let pb, let fb))
                where na == nb && Value.operatorNames[na] == nil && pa.count == pb.count:
                for i in pa.indices { diff(pa[i], pb[i], "\(path).\(i)") }
                diffFields(fa, fb, path)
            case (.list(let la), .list(let lb)) where la.count == lb.count && (la + lb).allSatisfy(Self.isStructured):
                for i in la.indices { diff(la[i], lb[i], "\(path).\(i)") }
            default:
                changes.append(DiffChange(.changed, .setting, path: path, old: a, new: b))
            }
        }
    }

    private mutating func diffFields(_ a: [Value.Field], _ b: [Value.Field], _ path: String) {
        var names = b.map(\.name)
        for f in a where !names.contains(f.name) { names.append(f.name) }
        for name in names {
            diff(a.first { $0.name == name }?.value, b.first { $0.name == name }?.value, "\(path).\(name)")
        }
    }

    private static func isStructured(_ v: Value) -> Bool {
        switch v.kind {
        case .record: return true
        case .call(let name, _, _): return Value.operatorNames[name] == nil
        default: return false
        }
    }

    // MARK: Sweeps

    private mutating func compareSweeps(_ a: [CheckedSweep], _ b: [CheckedSweep], path: String) {
        let several = max(a.count, b.count) > 1
        for i in 0..<max(a.count, b.count) {
            let blockPath = several ? "\(path)[\(i)]" : path
            switch (i < a.count ? a[i] : nil, i < b.count ? b[i] : nil) {
            case (nil, let y?): changes.append(DiffChange(.added, .declaration, path: blockPath, old: nil, new: Self.blockValue(y)))
            case (let x?, nil): changes.append(DiffChange(.removed, .declaration, path: blockPath, old: Self.blockValue(x), new: nil))
            case (let x?, let y?): compareSweep(x, y, path: blockPath)
            case (nil, nil): break
            }
        }
    }

    private mutating func compareSweep(_ a: CheckedSweep, _ b: CheckedSweep, path: String) {
        if a.kind != b.kind {
            switch (a.kind, b.kind) {
            case (.random(let ta, let sa), .random(let tb, let sb)):
                if ta != tb { changes.append(DiffChange(.changed, .setting, path: path + ".trials", old: Value(.number(Double(ta))), new: Value(.number(Double(tb))))) }
                if sa != sb { changes.append(DiffChange(.changed, .setting, path: path + ".seed", old: Value(.number(Double(sa))), new: Value(.number(Double(sb))))) }
            default:
                changes.append(DiffChange(.changed, .setting, path: path + ".kind", old: Self.kindValue(a.kind), new: Self.kindValue(b.kind)))
            }
        }
        for axis in b.axes {
            let axisPath = "\(path).\(axis.dottedPath)"
            guard let before = a.axes.first(where: { $0.path == axis.path }) else {
                changes.append(DiffChange(.added, .declaration, path: axisPath, old: nil, new: Self.axisValue(axis)))
                continue
            }
            compareAxis(before, axis, path: axisPath)
        }
        for axis in a.axes where !b.axes.contains(where: { $0.path == axis.path }) {
            changes.append(DiffChange(.removed, .declaration, path: "\(path).\(axis.dottedPath)", old: Self.axisValue(axis), new: nil))
        }
        // A grid's first axis varies slowest: reordering axes reorders trials.
        if case .grid = b.kind, case .grid = a.kind {
            let common = Set(a.axes.map(\.dottedPath)).intersection(b.axes.map(\.dottedPath))
            let before = a.axes.map(\.dottedPath).filter(common.contains), after = b.axes.map(\.dottedPath).filter(common.contains)
            if before != after {
                changes.append(DiffChange(.changed, .sweepOrder, path: path, old: Self.names(before), new: Self.names(after)))
            }
        }
    }

    /// Values gone and values new; as many of each pair up as replaced values (`0.003 → 0.01`).
    private mutating func compareAxis(_ a: SweepAxis, _ b: SweepAxis, path: String) {
        if a.generator != nil || b.generator != nil {
            diff(Self.axisValue(a), Self.axisValue(b), path)
            return
        }
        if a.values == b.values { return }
        let removed = a.values.filter { !b.values.contains($0) }
        let added = b.values.filter { !a.values.contains($0) }
        if removed.isEmpty, added.isEmpty {
            changes.append(DiffChange(.changed, .sweepOrder, path: path, old: Value(.list(a.values)), new: Value(.list(b.values))))
        } else if removed.count == added.count {
            for (x, y) in zip(removed, added) { changes.append(DiffChange(.changed, .sweepValue, path: path, old: x, new: y)) }
        } else {
            for x in removed { changes.append(DiffChange(.removed, .sweepValue, path: path, old: x, new: nil)) }
            for y in added { changes.append(DiffChange(.added, .sweepValue, path: path, old: nil, new: y)) }
        }
    }

    private static func axisValue(_ axis: SweepAxis) -> Value { axis.generator ?? Value(.list(axis.values)) }

    private static func blockValue(_ sweep: CheckedSweep) -> Value {
        Value(.record([Value.Field("kind", kindValue(sweep.kind))] + sweep.axes.map { Value.Field($0.dottedPath, axisValue($0)) }))
    }

    private static func kindValue(_ kind: CheckedSweep.Kind) -> Value {
        switch kind {
        case .grid: return Value(.symbol("grid"))
        case .zip: return Value(.symbol("zip"))
        case .random(let trials, let seed):
            return Value(.call(name: "random", positional: [], named: [Value.Field("trials", Value(.number(Double(trials)))), Value.Field("seed", Value(.number(Double(seed))))]))
        }
    }

    private static func names(_ list: [String]) -> Value { Value(.list(list.map { Value(.symbol($0)) })) }
}
