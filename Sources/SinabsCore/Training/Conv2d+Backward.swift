import CSinabsKernels

// Conv2d backward on the dense path, per chunk of samples and group:
// dW_g += dY_g col^T, dcol = W_g^T dY_g scattered back by col2im, db = sum dY.
extension Conv2d {
    /// The gradient w.r.t. the input of the last training forward; adds to the
    /// weight and bias gradients (with the weight as it is now). One backward
    /// per training forward; the input must not have changed since.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let input = try pendingInput.get()
        let plan = try plan(for: input.shape)
        guard gradOutput.shape == plan.outputShape else {
            throw SinabsError.shape("grad_output must have the forward's output shape \(plan.outputShape), got \(gradOutput.shape)")
        }
        let gradInput = try gradientMemory.zeros(input.shape)
        let gradWeight = try gradients.accumulator("weight", shape: weight.shape)
        let gradBias = try bias.map { try gradients.accumulator("bias", shape: $0.shape) }
        let rows = plan.patchRows, plane = plan.plane, og = plan.groupOutputs
        let chunk = ConvWorkspace.chunk(samples: plan.samples, perSample: rows * plane)
        let col = try workspace.buffer("col", count: rows * chunk * plane)
        let product = try workspace.buffer("product", count: og * chunk * plane)
        pendingInput.clear()
        guard plan.samples > 0, plane > 0, let x = input.baseAddress, let dy = gradOutput.baseAddress,
              let w = weight.baseAddress, let dx = gradInput.baseAddress, let dw = gradWeight.baseAddress
        else { return gradInput }
        var shape = plan.shape
        var first = 0
        while first < plan.samples {
            let count = min(chunk, plan.samples - first)
            let xs = x + first * plan.inputPerSample, dxs = dx + first * plan.inputPerSample
            let dys = dy + first * Int(shape.out_channels) * plane
            let columns = count * plane
            for group in 0..<groups {
                snk_im2col(&shape, xs, Int64(count), Int64(group), col)
                snk_conv_pack(&shape, dys, Int64(count), Int64(group), product)
                Gemm.multiply(transposeB: true, m: og, n: rows, k: columns, a: product, lda: columns,
                              b: col, ldb: columns, c: dw + group * og * rows, ldc: rows, beta: 1)
                Gemm.multiply(transposeA: true, m: rows, n: columns, k: og, a: w + group * og * rows, lda: rows,
                              b: product, ldb: columns, c: col, ldc: columns, beta: 0)
                snk_col2im_add(&shape, col, Int64(count), Int64(group), dxs)
            }
            first += count
        }
        if let db = gradBias?.baseAddress { addBiasGradient(dy, plan, db) }
        return gradInput
    }

    private func addBiasGradient(_ dy: UnsafeMutablePointer<Float>, _ plan: ConvPlan, _ db: UnsafeMutablePointer<Float>) {
        let channels = outChannels, plane = plan.plane
        for o in 0..<channels {
            var sum = 0.0
            for n in 0..<plan.samples { sum += snk_sum(dy + (n * channels + o) * plane, Int64(plane)) }
            db[o] += Float(sum)
        }
    }

    /// A copy of the accumulated gradient of "weight" or "bias" (zeros before
    /// any backward).
    public func gradient(named name: String) throws -> Tensor {
        let parameter = try parameter(named: name)
        return try gradients.accumulator(name, shape: parameter.shape).copy()
    }

    public func zeroGrad() { gradients.zero() }
}
