/// Scratch memory of a Conv2d (patch matrix, GEMM product, transposed
/// weight, scatter accumulators), kept between calls so that a training
/// loop does not allocate and first-touch megabytes per call.
final class ConvWorkspace {
    private var buffers: [String: Tensor] = [:]

    /// Patch matrices are bounded to this many floats (16 MiB); samples
    /// beyond it run in further chunks.
    static let patchBudget = 1 << 22

    /// At least `count` floats under `name`, uninitialised.
    func buffer(_ name: String, count: Int) throws -> UnsafeMutablePointer<Float> {
        if let existing = buffers[name], existing.count >= count, let base = existing.baseAddress {
            return base
        }
        buffers[name] = nil
        let fresh = try Tensor.uninitialized([max(count, 1)])
        buffers[name] = fresh
        guard let base = fresh.baseAddress else { throw SinabsError(.internal, "empty workspace buffer") }
        return base
    }

    /// A patch matrix that stays in L2 (1 MiB) between the product that
    /// writes it and the col2im that reads it.
    static let cachedPatchBudget = 1 << 18

    /// Samples per chunk so that `perSample` floats each stay within the budget.
    static func chunk(samples: Int, perSample: Int, budget: Int = patchBudget) -> Int {
        max(1, min(samples, budget / max(perSample, 1)))
    }
}
