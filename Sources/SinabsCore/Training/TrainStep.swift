extension Sequential {
    /// One training step: zero the gradients, forward in training mode, the
    /// loss against `target`, backward, clip the gradients' global norm to
    /// `maxGradientNorm` (when given), and let `optimizer` update the
    /// parameters. States are not reset (call `resetStates()` first for
    /// independent samples). Returns the loss before the update.
    /// If anything fails before the update, no parameter changes.
    public func trainStep(input: Tensor, target: Tensor, loss: Loss, optimizer: Optimizer,
                          maxGradientNorm: Float? = nil) throws -> Float {
        if let maxGradientNorm {
            guard maxGradientNorm.isFinite, maxGradientNorm >= 0 else {
                throw SinabsError.invalid("max_grad_norm must be a finite number >= 0, got \(maxGradientNorm)")
            }
        }
        zeroGrad()
        let wasTraining = training
        training = true
        defer { training = wasTraining }
        let output = try forward(input)
        let (value, gradient) = try loss.evaluate(output: output, target: target)
        try backwardParameters(gradient)
        if let maxGradientNorm { try clipGradientNorm(maxNorm: maxGradientNorm) }
        try optimizer.step(self)
        return value
    }
}
