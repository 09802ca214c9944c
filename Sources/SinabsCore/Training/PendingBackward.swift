/// What a training forward keeps for the one backward that may follow it
/// (torch frees its graph after one backward too).
struct PendingBackward<Value> {
    private var value: Value?

    /// Keeps `newValue` when training; an inference forward leaves the last
    /// training forward's record in place, as the neuron layers do.
    mutating func record(_ newValue: @autoclosure () -> Value, training: Bool) {
        if training { value = newValue() }
    }

    /// The record, or `.state` when there is none to go back through.
    func get() throws -> Value {
        guard let value else {
            throw SinabsError(.state, "backward needs a forward with training on since the last backward")
        }
        return value
    }

    /// Forgets the record once backward has used it.
    mutating func clear() { value = nil }
}

/// Gradient accumulators by parameter name, created as zeros on first use.
final class GradientAccumulators {
    private var gradients: [String: Tensor] = [:]

    func accumulator(_ name: String, shape: [Int]) throws -> Tensor {
        if let grad = gradients[name] { return grad }
        let grad = try Tensor(zeros: shape)
        gradients[name] = grad
        return grad
    }

    func zero() {
        for grad in gradients.values { grad.fill(0) }
    }
}

/// Memory for a layer's input gradients, taken back once the caller has
/// released the last one (RecycledBuffer): a training loop then does not
/// allocate and first-touch a fresh buffer (30 MB on workload B) per backward.
final class GradientMemory {
    private var pool: RecycledBuffer?

    /// A tensor of `shape` for a kernel that writes every element.
    func uninitialized(_ shape: [Int]) throws -> Tensor {
        try RecycledBuffer.tensor(shape: shape, from: &pool)
    }

    /// A zero-filled tensor of `shape`.
    func zeros(_ shape: [Int]) throws -> Tensor {
        let tensor = try RecycledBuffer.tensor(shape: shape, from: &pool)
        tensor.fill(0)
        return tensor
    }
}
