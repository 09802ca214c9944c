/// Scratch memory of a Conv2d (per-worker patch matrices, transposed or
/// flipped weight, scatter and weight-gradient accumulators), kept between
/// calls so that a training loop does not allocate and first-touch
/// megabytes per call.
final class ConvWorkspace {
    private var buffers: [String: Tensor] = [:]

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
}
