import Foundation
import Synchronization

/// The threads every parallel kernel runs on: the calling thread plus `cores − 1`
/// persistent workers that keep spinning for a short while after each job before they sleep.
///
/// Why not `DispatchQueue.concurrentPerform`: every call has to wake a worker, and Linux
/// tends to place a freshly woken thread on the waker's core until the load balancer moves
/// it. Measured on the 2-core Xeon: a 2-thread 1024³ GEMM ran at a median 190–230 GFLOP/s
/// while two single-threaded processes together reached 260. A worker still spinning when
/// the next job arrives is already running on its own core (OpenMP runtimes and OpenBLAS spin
/// for the same reason).
///
/// One job at a time: a call made while the pool is busy (a kernel inside a job, another
/// thread's call) runs its parts on the calling thread. While the executor runs several tasks
/// at once (`--jobs 2`), each already has a core: kernels then run on their caller's thread
/// and idle workers sleep at once instead of spinning on a core a task needs. Which thread
/// runs a part never changes what the part computes, so results do not depend on the threads.
public final class WorkerPool: @unchecked Sendable {
    public static let shared = WorkerPool(workers: GEMMBlocking.defaultThreads - 1)

    /// Threads besides the caller.
    let workers: Int
    /// How long an idle worker spins before it sleeps: longer than the single-threaded
    /// stretches between a training step's parallel kernels, so a worker is seldom woken.
    static let spinNanoseconds: UInt64 = 2_000_000

    private let busy = Atomic<Bool>(false)
    private let runningTasks = Atomic<Int>(0)
    private let generation = Atomic<Int>(0)
    private let nextPart = Atomic<Int>(0)
    private let finishedWorkers = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let wakeUp = NSCondition()
    // The current job. Written by the caller before it bumps `generation`; read by a worker
    // only between seeing that generation and counting itself in `finishedWorkers`, and the
    // caller does not return (or start another job) before every worker has done so.
    // It is passed as a pointer to the caller's closure, so no thread retains the closure
    // (`withoutActuallyEscaping` checks that nothing kept it).
    private var job: UnsafePointer<(Int) -> Void>?
    private var parts = 0

    init(workers: Int) {
        self.workers = max(0, workers)
        for _ in 0..<self.workers {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.name = "ftx-worker"
            thread.start()
        }
    }

    /// The executor brackets every task with these, so the pool knows when tasks share the cores.
    public func taskStarted() { runningTasks.add(1, ordering: .relaxed) }
    public func taskEnded() { runningTasks.subtract(1, ordering: .relaxed) }

    /// Runs `body(i)` for every `i` in `0..<parts` on the caller and the workers; returns
    /// when all parts are done.
    public func run(_ parts: Int, _ body: (Int) -> Void) {
        guard parts > 1, workers > 0, runningTasks.load(ordering: .relaxed) <= 1,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for i in 0..<parts { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { body in
                job = body
                self.parts = parts
                nextPart.store(0, ordering: .relaxed)
                finishedWorkers.store(0, ordering: .relaxed)
                generation.add(1, ordering: .sequentiallyConsistent)  // publishes the job
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    wakeUp.lock()
                    wakeUp.broadcast()
                    wakeUp.unlock()
                }
                claimParts(body, parts)
                while finishedWorkers.load(ordering: .acquiring) < workers {}
                job = nil
            }
        }
        busy.store(false, ordering: .releasing)
    }

    private func claimParts(_ body: UnsafePointer<(Int) -> Void>, _ parts: Int) {
        while true {
            let i = nextPart.add(1, ordering: .relaxed).oldValue
            if i >= parts { return }
            body.pointee(i)
        }
    }

    private func workerLoop() {
        var seen = 0
        while true {
            seen = waitForJob(after: seen)
            claimParts(job!, parts)
            finishedWorkers.add(1, ordering: .releasing)
        }
    }

    /// Spins until `generation` moves past `seen`, then sleeps; returns the new generation.
    private func waitForJob(after seen: Int) -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        var spins = 0
        while true {
            let g = generation.load(ordering: .acquiring)
            if g != seen { return g }
            spins &+= 1
            if spins & 1023 == 0 && (DispatchTime.now().uptimeNanoseconds &- start > Self.spinNanoseconds
                                     || runningTasks.load(ordering: .relaxed) > 1) { break }
        }
        wakeUp.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while generation.load(ordering: .sequentiallyConsistent) == seen { wakeUp.wait() }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        wakeUp.unlock()
        return generation.load(ordering: .acquiring)
    }
}
