import Kernels
import Plan
import Support
/// How an optimizer step is shared between threads.
///
/// The update is elementwise, so any split gives the same numbers as long as each
/// element keeps the code path it has on one thread: the SIMD16 loop for the first
/// `count & ~15` elements of a run, the scalar tail for the rest. Runs are therefore cut
/// only at multiples of 16 from their start. Groups too small to repay a thread hand-off
/// stay on one worker.
enum OptimizerShares {
    /// A contiguous part of one run.
    struct Piece {
        var runIndex: Int
        var run: Optimizer.Run
    }

    /// Below this many trainable floats a step runs on one thread (the hand-off costs a few
    /// microseconds; a step over 32k floats of Adam takes about 60).
    static let parallelMinimum = 32_768

    /// Splits `runs` into `workers` shares of about equal size (one share for small groups).
    /// Worker `w` owns the trainable (state) positions from `total·w/parts` on; inside a run
    /// that boundary moves down to a multiple of 16 from the run's start.
    static func split(_ runs: [Optimizer.Run], workers: Int) -> [[Piece]] {
        let total = runs.reduce(0) { $0 + $1.count }
        let parts = total < parallelMinimum ? 1 : max(1, workers)
        var shares = [[Piece]](repeating: [], count: parts)
        for (index, run) in runs.enumerated() {
            var start = 0
            for worker in 0..<parts {
                let boundary = total * (worker + 1) / parts - run.stateOffset
                let end = worker == parts - 1 || boundary >= run.count ? run.count : max(start, max(0, boundary) & ~15)
                if end > start {
                    var piece = run
                    piece.offset += start
                    piece.stateOffset += start
                    piece.count = end - start
                    shares[worker].append(Piece(runIndex: index, run: piece))
                }
                start = end
            }
        }
        return shares.filter { !$0.isEmpty }
    }
}
