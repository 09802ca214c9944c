import CSinabsKernels

// Dense Conv2d: per chunk of samples and per group, im2col lays the patches
// of all samples side by side ([patch rows] x [samples x output pixels]).
// Large output planes then take one GEMM per sample straight into its
// output rows; small planes (where per-call overhead dominates) take one
// GEMM for the whole chunk and an unpack into (N, C, H, W). Measured on
// workload B's layers (one thread): 34x34 planes 13 -> 8.7 ms with the
// per-sample products, 8x8 planes 11.4 -> 13 ms, hence the threshold.
extension Conv2d {
    /// Output planes of at least this many pixels use per-sample products.
    static let perSampleProductPlane = 256

    func forwardDense(_ plan: ConvPlan, _ x: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                      _ y: UnsafeMutablePointer<Float>) throws {
        var shape = plan.shape
        let rows = plan.patchRows, plane = plan.plane, og = plan.groupOutputs, outputs = outChannels
        let chunk = ConvWorkspace.chunk(samples: plan.samples, perSample: rows * plane)
        let col = try workspace.buffer("col", count: rows * chunk * plane)
        let perSample = plane >= Self.perSampleProductPlane
        let product = perSample ? nil : try workspace.buffer("product", count: og * chunk * plane)
        var first = 0
        while first < plan.samples {
            let count = min(chunk, plan.samples - first)
            let xs = x + first * plan.inputPerSample, ys = y + first * outputs * plane
            if perSample, let b = bias?.baseAddress {  // the GEMMs below add to the bias
                for n in 0..<count {
                    for o in 0..<outputs { (ys + (n * outputs + o) * plane).update(repeating: b[o], count: plane) }
                }
            }
            for group in 0..<groups {
                snk_im2col(&shape, xs, Int64(count), Int64(group), col)
                let a = w + group * og * rows
                if let product {
                    Gemm.multiply(m: og, n: count * plane, k: rows, a: a, lda: rows,
                                  b: col, ldb: count * plane, c: product, ldc: count * plane, beta: 0)
                    snk_conv_unpack(&shape, product, Int64(count), Int64(group), bias?.baseAddress, ys)
                    continue
                }
                for n in 0..<count {
                    Gemm.multiply(m: og, n: plane, k: rows, a: a, lda: rows, b: col + n * plane, ldb: count * plane,
                                  c: ys + (n * outputs + group * og) * plane, ldc: plane, beta: bias == nil ? 0 : 1)
                }
            }
            first += count
        }
    }
}
