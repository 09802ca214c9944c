import CSinabsKernels

/// Swift bodies on libsinabs' threads, with a worker number for per-thread
/// scratch (for loops that call OpenBLAS or other Swift code per item).
enum Parallel {
    /// Threads a loop of `count` items of `cost` multiply-adds each is worth.
    static func workers(count: Int, cost: Int) -> Int {
        Int(snk_parallel_team(Int64(count), Int64(cost)))
    }

    /// body(worker, item) for every item in 0..<count, items claimed one at a
    /// time by `workers` threads. Bodies must write disjoint memory.
    static func forEach(_ count: Int, workers: Int, _ body: (_ worker: Int, _ item: Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            var task = Task(body: body)
            withUnsafeMutablePointer(to: &task) { context in
                snk_parallel_for_workers(Int64(count), Int64(workers), { context, worker, begin, end in
                    let body = context!.assumingMemoryBound(to: Task.self).pointee.body
                    for item in Int(begin)..<Int(end) { body(Int(worker), item) }
                }, context)
            }
        }
    }

    private struct Task {
        let body: (Int, Int) -> Void
    }
}
