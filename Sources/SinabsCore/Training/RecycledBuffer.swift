import Synchronization

/// A large result buffer lent out as a tensor and taken back when the last
/// tensor over it dies (its release callback), so that a training loop does
/// not allocate and first-touch 50 MB per call (forward's output, the tape's
/// u that backward returns as the input gradient).
final class RecycledBuffer {
    private let memory: Tensor
    private let lent = Atomic<Bool>(false)

    init(count: Int) throws {
        memory = try Tensor.uninitialized([count])
    }

    var count: Int { memory.count }

    /// A tensor of `shape` (with this buffer's element count) over the buffer,
    /// or nil while the previously lent one is still alive. Contents are
    /// whatever the last user left.
    func lend(shape: [Int]) -> Tensor? {
        guard lent.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return nil
        }
        // The callback keeps the buffer alive for as long as the tensor lives.
        let tensor = try? Tensor.wrapping(memory.baseAddress, shape: shape) { [self] _ in
            lent.store(false, ordering: .releasing)
        }
        if tensor == nil { lent.store(false, ordering: .releasing) }
        return tensor
    }
}

extension RecycledBuffer {
    /// An uninitialised tensor of `shape` from `pool` when the caller has
    /// released the last one lent; `pool` is replaced when the size changes.
    static func tensor(shape: [Int], from pool: inout RecycledBuffer?) throws -> Tensor {
        let count = try Shape.elementCount(shape)
        if let pool, pool.count == count {
            // Still lent: the caller keeps the last result; this one is its own.
            return try pool.lend(shape: shape) ?? Tensor.uninitialized(shape)
        }
        pool = nil  // free the old buffer before allocating the new one
        let fresh = try RecycledBuffer(count: count)
        pool = fresh
        return try fresh.lend(shape: shape) ?? Tensor.uninitialized(shape)
    }
}

extension NeuronAutograd {
    /// An uninitialised tensor of `shape` for the tape's u (later backward's
    /// result), from the recycled buffer when the caller has released the
    /// previous result.
    func tapeMemoryTensor(shape: [Int]) throws -> Tensor {
        try RecycledBuffer.tensor(shape: shape, from: &tapeMemory)
    }
}
