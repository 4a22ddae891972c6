import Foundation
import Kernels
import Plan
import Support

/// Synchronous successive halving for a stage's `prune = asha(metric:, min_epochs:, reduction:)`.
///
/// The stage's trials (the cohort) all train to rung 0 = `min_epochs`; at each
/// rung `r_k = min_epochs · reduction^k` (below the stage's epochs) the trials
/// that reached it are ranked by the metric at epoch `r_k` (ties: plan order)
/// and the top `max(1, ⌊n / reduction⌋)` continue; the rest are `pruned`. After
/// the last rung the survivors train to the end. Decisions depend only on the
/// trials' histories, never on timing, so the same trials are pruned whatever
/// `--jobs` is, and a re-run (or a second process) reaches the same decisions.
/// Trials that diverge, fail or stop early before a rung leave the cohort.
struct ASHACohort {
    /// Task indices in plan order.
    let members: [Int]
    let metric: String
    let minimize: Bool
    /// Rung epochs, ascending.
    let rungs: [Int]
    /// Next phase: 0..<rungs.count = train to that rung; rungs.count = train to the end.
    var phase = 0
    /// Members still competing.
    var alive: [Int]
    /// Whether the current phase's units are out.
    var phaseRunning = false
    var outstanding = 0
    var started = false

    init(members: [Int], prune: PruneSpec, epochs: Int) {
        self.members = members
        self.metric = EpochRecord.qualified(prune.metric)
        self.minimize = prune.minimize
        var rungs: [Int] = []
        var r = max(prune.minEpochs, 1)
        while r < epochs {
            rungs.append(r)
            let next = r * max(prune.reduction, 2)
            if next <= r { break }
            r = next
        }
        self.rungs = rungs
        self.alive = members
    }

    /// The epoch limit of the current phase (nil: to the end).
    var limit: Int? { phase < rungs.count ? rungs[phase] : nil }

    /// Which candidates (indices with their metric at the rung, in plan order) survive.
    func survivors(_ candidates: [(index: Int, value: Double)], reduction: Int) -> Set<Int> {
        let keep = max(1, candidates.count / max(reduction, 2))
        let ranked = candidates.enumerated().sorted { a, b in
            let x = a.element.value, y = b.element.value
            if x.isNaN != y.isNaN { return !x.isNaN }
            if !x.isNaN && x != y { return minimize ? x < y : x > y }
            return a.offset < b.offset
        }
        return Set(ranked.prefix(keep).map(\.element.index))
    }
}
