import Foundation
import Plan
import Support

/// What an edit does to the trials `ftx plan` lists, counted over every trial
/// of every stage (upstream stages included), so that on the new side
/// `reused + invalidated + added` is the plan's trial count and on the old side
/// `reused + invalidated + removed` is.
///
/// Trials are matched by stage (through renames) and sweep point: the swept
/// settings, and for a stage whose `init` fans out from another stage's trials,
/// the upstream trial's own point (not its key, which changes when the upstream
/// changes). A point on both sides with the same content key is reused, with a
/// different key invalidated (it must train again); a point on one side only is
/// added or removed.
public struct TrialImpact: Sendable, Hashable {
    public var reused = 0
    public var invalidated = 0
    public var added = 0
    public var removed = 0

    public init(reused: Int = 0, invalidated: Int = 0, added: Int = 0, removed: Int = 0) {
        self.reused = reused
        self.invalidated = invalidated
        self.added = added
        self.removed = removed
    }

    /// Whether any trial is invalidated, added or removed.
    public var changesTrials: Bool { invalidated + added + removed > 0 }

    public var json: JSONValue {
        .object([("reused", .int(reused)), ("invalidated", .int(invalidated)), ("added", .int(added)), ("removed", .int(removed))])
    }

    /// `9 reused, 0 invalidated, 4 added, 4 removed`.
    public var text: String { "\(reused) reused, \(invalidated) invalidated, \(added) added, \(removed) removed" }

    static func + (a: TrialImpact, b: TrialImpact) -> TrialImpact {
        TrialImpact(reused: a.reused + b.reused, invalidated: a.invalidated + b.invalidated, added: a.added + b.added, removed: a.removed + b.removed)
    }
}

/// Matches the trials of two task graphs.
enum TrialMatcher {
    /// The impact per stage (named as on the new side; stages only on the old side under their old names), in order.
    static func match(old: TaskGraph, new: TaskGraph, stageNames: [String: String]) -> [(stage: String, impact: TrialImpact)] {
        let before = points(of: old, stageName: { stageNames[$0] ?? $0 })
        let after = points(of: new, stageName: { $0 })
        var stages: [String] = []
        for p in after + before where !stages.contains(p.stage) { stages.append(p.stage) }

        var remaining: [String: [String]] = [:]  // point → old trial ids not yet paired
        for p in before { remaining[p.point, default: []].append(p.id) }
        var impact: [String: TrialImpact] = [:]
        for p in after {
            var ids = remaining[p.point] ?? []
            if let same = ids.firstIndex(of: p.id) {
                ids.remove(at: same)
                impact[p.stage, default: TrialImpact()].reused += 1
            } else if !ids.isEmpty {
                ids.removeFirst()
                impact[p.stage, default: TrialImpact()].invalidated += 1
            } else {
                impact[p.stage, default: TrialImpact()].added += 1
            }
            remaining[p.point] = ids
        }
        for p in before {
            guard var ids = remaining[p.point], let i = ids.firstIndex(of: p.id) else { continue }
            ids.remove(at: i)
            remaining[p.point] = ids
            impact[p.stage, default: TrialImpact()].removed += 1
        }
        return stages.map { ($0, impact[$0] ?? TrialImpact()) }
    }

    /// Each trial's id, stage and point: stage, swept settings sorted by key, and the upstream trial's point.
    private static func points(of graph: TaskGraph, stageName: (String) -> String) -> [(id: String, stage: String, point: String)] {
        var pointOf: [String: String] = [:]
        var out: [(id: String, stage: String, point: String)] = []
        for trial in graph.trials {
            let stage = stageName(trial.stage)
            var parts: [String] = []
            var upstream = ""
            for setting in trial.settings {
                if setting.key == "init", case .string(let id) = setting.value {
                    upstream = pointOf[id] ?? id
                } else {
                    parts.append("\(setting.key)=\(describe(setting.value))")
                }
            }
            let point = stage + "\u{1}" + parts.sorted().joined(separator: "\u{1}") + "\u{2}" + upstream + "\u{3}"
            if pointOf[trial.id] == nil { pointOf[trial.id] = point }
            out.append((trial.id, stage, point))
        }
        return out
    }

    private static func describe(_ value: SettingValue) -> String {
        switch value {
        case .number(let n): return "n" + String(n.bitPattern, radix: 16)
        case .string(let s): return "s" + s
        case .text(let s): return "t" + s
        case .bool(let b): return b ? "T" : "F"
        }
    }
}
