import CSinabsKernels

// Dense Conv2d: per chunk of samples and per group, im2col lays the patches
// of all samples side by side ([patch rows] x [samples x output pixels]) so
// OpenBLAS computes one large product W_g x col instead of many small ones.
extension Conv2d {
    func forwardDense(_ plan: ConvPlan, _ x: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                      _ y: UnsafeMutablePointer<Float>) throws {
        var shape = plan.shape
        let rows = plan.patchRows, plane = plan.plane, og = plan.groupOutputs
        let chunk = ConvWorkspace.chunk(samples: plan.samples, perSample: rows * plane)
        let col = try workspace.buffer("col", count: rows * chunk * plane)
        let product = try workspace.buffer("product", count: og * chunk * plane)
        let b = UnsafePointer(bias?.baseAddress)
        var first = 0
        while first < plan.samples {
            let count = min(chunk, plan.samples - first)
            let xs = x + first * plan.inputPerSample, ys = y + first * Int(shape.out_channels) * plane
            for group in 0..<groups {
                snk_im2col(&shape, xs, Int64(count), Int64(group), col)
                Gemm.multiply(m: og, n: count * plane, k: rows, a: w + group * og * rows, lda: rows,
                              b: col, ldb: count * plane, c: product, ldc: count * plane, beta: 0)
                snk_conv_unpack(&shape, product, Int64(count), Int64(group), b, ys)
            }
            first += count
        }
    }
}
