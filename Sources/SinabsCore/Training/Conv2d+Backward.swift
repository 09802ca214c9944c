import CSinabsKernels

// Conv2d backward per chunk of samples and group: dW_g += dY_g col^T (or,
// for sparse inputs, the event-driven snk_conv_weight_grad_sparse), dcol =
// W_g^T dY_g scattered back by col2im, db = sum dY.
extension Conv2d {
    /// The gradient w.r.t. the input of the last training forward; adds to the
    /// weight and bias gradients (with the weight as it is now). One backward
    /// per training forward; the input must not have changed since.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        try backward(gradOutput, inputGradient: true)
    }

    /// Backward that adds to the parameter gradients and, with
    /// `inputGradient`, returns the input's gradient (else an empty tensor:
    /// for a first layer, whose input gradient nobody reads). A sparse input
    /// (spikes) takes the event-driven weight gradient.
    func backward(_ gradOutput: Tensor, inputGradient: Bool) throws -> Tensor {
        let input = try pendingInput.get()
        let plan = try plan(for: input.shape)
        guard gradOutput.shape == plan.outputShape else {
            throw SinabsError.shape("grad_output must have the forward's output shape \(plan.outputShape), got \(gradOutput.shape)")
        }
        let gradInput = inputGradient ? try gradientMemory.zeros(input.shape) : try Tensor(zeros: [0])
        let gradWeight = try gradients.accumulator("weight", shape: weight.shape)
        let gradBias = try bias.map { try gradients.accumulator("bias", shape: $0.shape) }
        let sparse = kernelChoice == .sparse || (kernelChoice == .automatic && input.count > 0
            && input.baseAddress.map { isSparse($0, count: input.count, below: Self.sparseCrossoverDensity) } == true)
        let rows = plan.patchRows, plane = plan.plane, og = plan.groupOutputs
        // Sparse inputs use the patch matrix for the input gradient only
        // (GEMM, then col2im): small chunks keep it in L2 between the two.
        let chunk = ConvWorkspace.chunk(samples: plan.samples, perSample: rows * plane,
                                        budget: sparse ? ConvWorkspace.cachedPatchBudget : ConvWorkspace.patchBudget)
        let needsColumns = !sparse || inputGradient
        let col = needsColumns ? try workspace.buffer("col", count: rows * chunk * plane) : nil
        let product = needsColumns ? try workspace.buffer("product", count: og * chunk * plane) : nil
        var shape = plan.shape
        let gradChunks = max(1, min(plan.samples, 4 * Threads.count))
        let gradScratch = sparse ? try workspace.buffer("weight_grad", count: gradChunks * Int(snk_conv_weight_grad_scratch(&shape))) : nil
        pendingInput.clear()
        guard plan.samples > 0, plane > 0, let x = input.baseAddress, let dy = gradOutput.baseAddress,
              let w = weight.baseAddress, let dw = gradWeight.baseAddress
        else { return gradInput }
        if let gradScratch {
            guard snk_conv_weight_grad_sparse(&shape, x, dy, Int64(plan.samples), dw, gradScratch, Int64(gradChunks)) == 0 else {
                throw SinabsError(.outOfMemory, "Conv2d: cannot allocate the scatter tables")
            }
        }
        if let col, let product {
            let dx = gradInput.baseAddress
            var first = 0
            while first < plan.samples {
                let count = min(chunk, plan.samples - first)
                let xs = x + first * plan.inputPerSample
                let dys = dy + first * Int(shape.out_channels) * plane
                let columns = count * plane
                for group in 0..<groups {
                    snk_conv_pack(&shape, dys, Int64(count), Int64(group), product)
                    if !sparse {
                        snk_im2col(&shape, xs, Int64(count), Int64(group), col)
                        Gemm.multiply(transposeB: true, m: og, n: rows, k: columns, a: product, lda: columns,
                                      b: col, ldb: columns, c: dw + group * og * rows, ldc: rows, beta: 1)
                    }
                    if let dx {
                        Gemm.multiply(transposeA: true, m: rows, n: columns, k: og, a: w + group * og * rows, lda: rows,
                                      b: product, ldb: columns, c: col, ldc: columns, beta: 0)
                        snk_col2im_add(&shape, col, Int64(count), Int64(group), dx + first * plan.inputPerSample)
                    }
                }
                first += count
            }
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
