import DSL
import Foundation
import Plan
import Support

/// Turns a checked stage's `sweep` blocks into trial points.
///
/// - `grid`: the cartesian product of its axes in declared order, first axis slowest.
/// - `zip`: the i-th values of all axes together (equal lengths, checked by the checker).
/// - `random(trials: n, seed: s)`: `n` draws; axis `p` of trial `i` draws from its
///   own stream `SeededGenerator(seed: s).fork("p#i")`, so adding an axis or raising
///   `trials` leaves the other draws (and so the other trials' keys) unchanged.
///   `choice` picks an option uniformly, then draws the generators inside it
///   (a conditional space); `uniform(a, b)` is uniform in `[a, b)`,
///   `loguniform(a, b)` uniform in log space, `int(a, b)` uniform in `a…b` inclusive.
/// - Several blocks: the cartesian product of their points, first block slowest.
/// - No sweep: one point with no overrides.
public enum SweepExpander {
    /// Every point of the stage, in order. Points that repeat (a random sweep
    /// drawing the same values twice) are kept; the planner merges equal trials.
    public static func expand(_ stage: CheckedStage) -> [SweepPoint] {
        expand(stage.sweeps)
    }

    /// The cartesian product of the blocks' points, first block slowest.
    public static func expand(_ sweeps: [CheckedSweep]) -> [SweepPoint] {
        var points = [SweepPoint()]
        for (i, sweep) in sweeps.enumerated() {
            let block = SweepExpander.points(of: sweep, block: i + 1)
            points = points.flatMap { p in block.map { p.combined(with: $0) } }
        }
        return points
    }

    /// The points of one block, the `block`-th of its stage (1-based; recorded in each
    /// value's origin, `ValueOrigin.swept`).
    public static func points(of sweep: CheckedSweep, block: Int = 1) -> [SweepPoint] {
        let axes = sweep.axes
        if axes.isEmpty { return [SweepPoint()] }
        func origin(_ axis: SweepAxis, index: Int, count: Int, generator: Value? = nil) -> ValueOrigin {
            .swept(SweepDraw(block: block, kind: kindText(sweep.kind), blockSpan: sweep.span, axis: axis.dottedPath, axisSpan: axis.span,
                             index: index + 1, count: count, generator: generator?.description))
        }
        switch sweep.kind {
        case .grid:
            var points = [SweepPoint()]
            for axis in axes {
                let values = axis.values
                points = points.flatMap { p in
                    values.enumerated().map { i, v in
                        p.combined(with: SweepPoint(overrides: [override(axis.path, v.with(origin: origin(axis, index: i, count: values.count)))]))
                    }
                }
            }
            return points
        case .zip:
            let count = axes.map(\.values.count).min() ?? 0
            return (0..<count).map { i in
                SweepPoint(overrides: axes.map { override($0.path, $0.values[i].with(origin: origin($0, index: i, count: count))) })
            }
        case .random(let trials, let seed):
            return (0..<max(0, trials)).map { i in
                SweepPoint(overrides: axes.map { axis in
                    var rng = generator(seed: seed, axis: axis.dottedPath, trial: i)
                    let domain = axis.generator ?? Value(.call(name: "choice", positional: axis.values, named: []))
                    let (value, drawn) = draw(domain, &rng)
                    return SweepPoint.Override(path: axis.path, value: value.with(origin: origin(axis, index: i, count: trials, generator: domain)),
                                               drawnArguments: drawn)
                })
            }
        }
    }

    /// A block's kind as written: `grid`, `zip`, `random(trials: 8, seed: 0)`.
    public static func kindText(_ kind: CheckedSweep.Kind) -> String {
        switch kind {
        case .grid: return "grid"
        case .zip: return "zip"
        case .random(let trials, let seed): return "random(trials: \(trials), seed: \(seed))"
        }
    }

    /// The random stream of one axis of one trial.
    public static func generator(seed: Int, axis: String, trial: Int) -> SeededGenerator {
        SeededGenerator(seed: UInt64(truncatingIfNeeded: seed)).fork("sweep:\(axis)#\(trial)")
    }

    private static func override(_ path: [String], _ value: Value) -> SweepPoint.Override {
        SweepPoint.Override(path: path, value: value)
    }

    // MARK: Drawing

    /// Whether `value` is a generator call (`choice`, `uniform`, `loguniform`, `int`).
    static func isGenerator(_ value: Value) -> Bool {
        guard let name = value.callName else { return false }
        return LanguageSchema.generatorNames.contains(name)
    }

    /// Whether `value` is or holds a generator anywhere inside.
    static func containsGenerator(_ value: Value) -> Bool {
        if isGenerator(value) { return true }
        switch value.kind {
        case .list(let items): return items.contains(where: containsGenerator)
        case .record(let fields): return fields.contains { containsGenerator($0.value) }
        case .call(_, let positional, let named): return positional.contains(where: containsGenerator) || named.contains { containsGenerator($0.value) }
        default: return false
        }
    }

    /// A generator's operands: named `a`/`b` as the checker canonicalises them, else positional.
    private static func bounds(_ value: Value) -> (Double, Double)? {
        guard case .call(_, let positional, _) = value.kind else { return nil }
        let a = value["a"]?.number ?? positional.first?.number
        let b = value["b"]?.number ?? (positional.count > 1 ? positional[1].number : nil)
        guard let a, let b else { return nil }
        return (a, b)
    }

    /// Draws `value`'s generators; returns the concrete value and, for a call,
    /// the names of its arguments that held generators.
    public static func draw(_ value: Value, _ rng: inout SeededGenerator) -> (Value, [String]) {
        var out = value
        switch value.callName {
        case "choice":
            guard case .call(_, let positional, let named) = value.kind else { break }
            let options = positional + named.map(\.value)
            guard !options.isEmpty else { return (value, []) }
            var (chosen, drawn) = draw(options[rng.nextInt(below: options.count)], &rng)
            if case .written = chosen.origin { chosen.origin = .drawn(generator: value.description) }
            return (chosen, drawn)
        case "uniform":
            guard let (a, b) = bounds(value) else { break }
            out.kind = .number(a + (b - a) * rng.nextDouble())
            return (out.with(origin: .drawn(generator: value.description)), [])
        case "loguniform":
            guard let (a, b) = bounds(value), a > 0, b > 0 else { break }
            out.kind = .number(exp(log(a) + (log(b) - log(a)) * rng.nextDouble()))
            return (out.with(origin: .drawn(generator: value.description)), [])
        case "int":
            guard let (a, b) = bounds(value), b >= a else { break }
            let lo = Int(a.rounded()), hi = Int(b.rounded())
            out.kind = .number(Double(lo + rng.nextInt(below: hi - lo + 1)))
            return (out.with(origin: .drawn(generator: value.description)), [])
        default:
            break
        }
        switch value.kind {
        case .call(let name, let positional, let named):
            var drawn: [String] = []
            let p = positional.map { draw($0, &rng).0 }
            let n = named.map { field -> Value.Field in
                if containsGenerator(field.value) { drawn.append(field.name) }
                return Value.Field(field.name, draw(field.value, &rng).0)
            }
            out.kind = .call(name: name, positional: p, named: n)
            return (out, drawn)
        case .list(let items):
            out.kind = .list(items.map { draw($0, &rng).0 })
        case .record(let fields):
            out.kind = .record(fields.map { Value.Field($0.name, draw($0.value, &rng).0) })
        default:
            break
        }
        return (out, [])
    }
}
