extension Sequential {
    /// torch.nn.utils.clip_grad_norm_ (norm 2): scales every gradient by
    /// max_norm / (total_norm + 1e-6) when that is below 1, in place.
    /// Returns the total norm before clipping. Gradients of layers that do not
    /// keep accumulators (see `GradientAccumulating`) cannot be scaled: an error.
    @discardableResult
    public func clipGradientNorm(maxNorm: Float) throws -> Float {
        guard maxNorm.isFinite, maxNorm >= 0 else {
            throw SinabsError.invalid("max_norm must be a finite number >= 0, got \(maxNorm)")
        }
        for layer in layers where !Self.keepsAccumulators(layer) {
            throw SinabsError(.state, "\(Self.kindName(of: layer)) does not expose its gradients for clipping")
        }
        let gradients = try namedGradients().map(\.gradient)
        var sum = 0.0
        for gradient in gradients {
            gradient.withUnsafeBufferPointer { for g in $0 { sum += Double(g) * Double(g) } }
        }
        let total = Float(sum.squareRoot())
        let coefficient = maxNorm / (total + 1e-6)
        if coefficient < 1 {
            for gradient in gradients {
                gradient.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] *= coefficient } }
            }
        }
        return total
    }
}
