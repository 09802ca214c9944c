import CSinabsKernels

// Conv2d backward per sample and group: dW_g += dY_g col^T (or, for sparse
// inputs, the event-driven snk_conv_weight_grad_sparse); dX as a convolution
// of dY (Conv2d+InputGradient.swift) or as W_g^T dY_g scattered back by
// col2im; db = sum dY.
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
        // The input gradient as a convolution writes every element of dX.
        let writesAll = plan.inputGradientAsConvolution != nil
        let gradInput = !inputGradient ? try Tensor(zeros: [0])
            : writesAll ? try gradientMemory.uninitialized(input.shape) : try gradientMemory.zeros(input.shape)
        let gradWeight = try gradients.accumulator("weight", shape: weight.shape)
        let gradBias = try bias.map { try gradients.accumulator("bias", shape: $0.shape) }
        let sparse = kernelChoice == .sparse || (kernelChoice == .automatic && input.count > 0
            && input.baseAddress.map { isSparse($0, count: input.count, below: Self.sparseCrossoverDensity) } == true)
        var shape = plan.shape
        let gradChunks = max(1, min(plan.samples, 4 * Threads.count))
        let gradScratch = sparse ? try workspace.buffer("weight_grad", count: gradChunks * Int(snk_conv_weight_grad_scratch(&shape))) : nil
        pendingInput.clear()
        guard plan.samples > 0, plan.plane > 0, let x = input.baseAddress, let dy = gradOutput.baseAddress,
              let w = weight.baseAddress, let dw = gradWeight.baseAddress
        else {
            gradInput.fill(0)
            return gradInput
        }
        if let gradScratch {
            guard snk_conv_weight_grad_sparse(&shape, x, dy, Int64(plan.samples), dw, gradScratch, Int64(gradChunks)) == 0 else {
                throw SinabsError(.outOfMemory, "Conv2d: cannot allocate the scatter tables")
            }
        }
        if !sparse || inputGradient {
            try backwardDense(plan, x: x, dy: dy, w: w, dw: sparse ? nil : dw, dx: gradInput.baseAddress)
        }
        if let db = gradBias?.baseAddress { addBiasGradient(dy, plan, db) }
        return gradInput
    }

    /// The dense parts of backward, per sample on our threads: dW += dY
    /// col(X)^T (when `dw` is given) and dX (when `dx` is given) as a
    /// convolution of dY where inputGradientAsConvolution allows, else
    /// col2im(W^T dY) added into it. Each worker's patch matrix stays in L2 between its products;
    /// samples go in fixed chunks with one dW accumulator each, summed in
    /// chunk order, so the result does not depend on which thread ran what.
    private func backwardDense(_ plan: ConvPlan, x: UnsafeMutablePointer<Float>, dy: UnsafeMutablePointer<Float>,
                               w: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>?,
                               dx: UnsafeMutablePointer<Float>?) throws {
        let rows = plan.patchRows, plane = plan.plane, og = plan.groupOutputs, outputs = outChannels
        let groups = self.groups, shape = plan.shape, weights = weight.count
        let workers = Parallel.workers(count: plan.samples, cost: 2 * outputs * plane * rows)
        let chunks = workers == 1 ? 1 : min(plan.samples, 4 * workers)
        let transposed = dx == nil ? nil : plan.inputGradientAsConvolution
        let flipped = transposed == nil ? nil : try flippedWeight()
        let cg = inChannels / groups, inputPlane = plan.inputPerSample / inChannels
        let transposedRows = og * geometry.kernel.height * geometry.kernel.width
        let perWorker = max(rows * plane, transposed == nil ? 0 : transposedRows * inputPlane)
        let columns = try workspace.buffer("col", count: workers * perWorker)
        let sums = dw == nil ? nil : try workspace.buffer("weight_grad_dense", count: chunks * weights)
        Parallel.forEach(chunks, workers: workers) { worker, chunk in
            var shape = shape, transposed = transposed
            let col = columns + worker * perWorker
            let sum = sums.map { $0 + chunk * weights }
            sum?.update(repeating: 0, count: weights)
            for n in plan.samples * chunk / chunks..<plan.samples * (chunk + 1) / chunks {
                let xs = x + n * plan.inputPerSample
                for group in 0..<groups {
                    let dyg = UnsafePointer(dy + (n * outputs + group * og) * plane)
                    let wg = UnsafePointer(w + group * og * rows)
                    if let sum {
                        snk_im2col_sample(&shape, xs, Int64(group), col)
                        Gemm.multiplyOnCallingThread(transposeB: true, m: og, n: rows, k: plane, a: dyg, lda: plane,
                                                     b: col, ldb: plane, c: sum + group * og * rows, ldc: rows, beta: 1)
                    }
                    if let dx, let flipped, transposed != nil {
                        snk_im2col_sample(&transposed!, dy + n * outputs * plane, Int64(group), col)
                        Gemm.multiplyOnCallingThread(m: cg, n: inputPlane, k: transposedRows,
                                                     a: flipped + group * cg * transposedRows, lda: transposedRows,
                                                     b: col, ldb: inputPlane,
                                                     c: dx + n * plan.inputPerSample + group * cg * inputPlane,
                                                     ldc: inputPlane, beta: 0)
                    } else if let dx {
                        Gemm.multiplyOnCallingThread(transposeA: true, m: rows, n: plane, k: og, a: wg, lda: rows,
                                                     b: dyg, ldb: plane, c: col, ldc: plane, beta: 0)
                        snk_col2im_add_sample(&shape, col, Int64(group), dx + n * plan.inputPerSample)
                    }
                }
            }
        }
        if let dw, let sums {
            for chunk in 0..<chunks {
                let sum = sums + chunk * weights
                for i in 0..<weights { dw[i] += sum[i] }
            }
        }
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
