/// What a training forward of a Linear layer keeps: its input, by reference
/// (the caller must not change it before backward), and the accumulated
/// gradients of weight and bias.
final class LinearAutograd {
    var input: Tensor?
    var gradients: [String: Tensor] = [:]
}

// y = x W^T + b backwards, on OpenBLAS: dx = dy W, dW += dy^T x, db += sum_rows dy.
extension Linear {
    /// The gradient w.r.t. the input of the last training forward; adds to the
    /// weight and bias gradients (with the weight as it is now). One backward
    /// per training forward.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        try backward(gradOutput, inputGradient: true)
    }

    /// Backward that adds to the parameter gradients and, with
    /// `inputGradient`, returns the input's gradient (else an empty tensor:
    /// for a first layer, whose input gradient nobody reads).
    func backward(_ gradOutput: Tensor, inputGradient: Bool) throws -> Tensor {
        guard let input = autograd.input else {
            throw SinabsError(.state, "backward needs a forward with training on since the last backward")
        }
        let outputShape = try outputShape(for: input.shape)
        guard gradOutput.shape == outputShape else {
            throw SinabsError.shape("grad_output must have the forward's output shape \(outputShape), got \(gradOutput.shape)")
        }
        let gradInput = try Tensor(zeros: inputGradient ? input.shape : [0])
        let gradWeight = try accumulator("weight")
        let gradBias = bias == nil ? nil : try accumulator("bias")
        autograd.input = nil
        let rows = input.count / inFeatures
        guard rows > 0, let x = input.baseAddress, let dy = gradOutput.baseAddress, let w = weight.baseAddress,
              let dw = gradWeight.baseAddress else { return gradInput }
        if let dx = gradInput.baseAddress {
            Gemm.multiply(m: rows, n: inFeatures, k: outFeatures, a: dy, lda: outFeatures, b: w, ldb: inFeatures,
                          c: dx, ldc: inFeatures, beta: 0)
        }
        Gemm.multiply(transposeA: true, m: outFeatures, n: inFeatures, k: rows, a: dy, lda: outFeatures,
                      b: x, ldb: inFeatures, c: dw, ldc: inFeatures, beta: 1)
        if let db = gradBias?.baseAddress {
            for j in 0..<outFeatures {
                var sum = 0.0
                for r in 0..<rows { sum += Double(dy[r * outFeatures + j]) }
                db[j] += Float(sum)
            }
        }
        return gradInput
    }

    /// A copy of the accumulated gradient of "weight" or "bias" (zeros before
    /// any backward).
    public func gradient(named name: String) throws -> Tensor {
        guard parameterNames.contains(name) else { throw Self.missing("trainable parameter", name) }
        return try accumulator(name).copy()
    }

    /// Sets the weight and bias gradients to zero.
    public func zeroGrad() {
        for grad in autograd.gradients.values { grad.fill(0) }
    }

    func accumulator(_ name: String) throws -> Tensor {
        if let grad = autograd.gradients[name] { return grad }
        let grad = try Tensor(zeros: try parameter(named: name).shape)
        autograd.gradients[name] = grad
        return grad
    }
}
