import CSinabsKernels

// Event-driven Linear: a row of spikes adds the weight column of each
// non-zero input instead of a dense product: the Conv2d scatter kernel with
// a 1x1 kernel on 1x1 images (rows = samples, features = channels).
extension Linear {
    /// Input density below which forward scatters, measured with
    /// bench/bench_conv_crossover.py --linear on 400 rows of spikes: for
    /// 2048 -> 256 the scatter took 0.4-0.8x the GEMM's time at 0.5-1%
    /// density and lost from 2% on; for 512 -> 10 (workload B's readout) it
    /// lost at every density (a 10-float update per event does not fill a
    /// vector, and BLAS is quick on such a product). Hence: below 1%, and
    /// only with at least `sparseMinimumOutputs` outputs.
    public static let sparseCrossoverDensity: Float = 0.01
    /// Fewer outputs than this always take the dense path (see above).
    public static let sparseMinimumOutputs = 64

    /// Runs the event-driven kernel and returns true when `input` is sparse
    /// enough (or `kernelChoice` forces it); false leaves the work to GEMM.
    func forwardSparseIfSparse(_ input: Tensor, rows: Int, _ y: UnsafeMutablePointer<Float>) throws -> Bool {
        guard let x = input.baseAddress, let w = weight.baseAddress else { return false }
        switch kernelChoice {
        case .dense: return false
        case .sparse: break
        case .automatic:
            guard outFeatures >= Self.sparseMinimumOutputs else { return false }
            guard isSparse(x, count: input.count, below: Self.sparseCrossoverDensity) else { return false }
        }
        var shape = snk_conv_shape(channels: Int64(inFeatures), height: 1, width: 1, out_channels: Int64(outFeatures),
                                   out_h: 1, out_w: 1, groups: 1, kernel_h: 1, kernel_w: 1, stride_h: 1, stride_w: 1,
                                   pad_h: 0, pad_w: 0, dilation_h: 1, dilation_w: 1)
        let weightT = try workspace.buffer("weight_t", count: weight.count)
        snk_conv_transpose_weight(&shape, w, weightT)
        let chunks = input.count < (1 << 16) ? 1 : min(Threads.count, rows)
        let scratch = try workspace.buffer("scatter", count: chunks * outFeatures)
        guard snk_conv_scatter(&shape, x, Int64(rows), weightT, bias?.baseAddress, y, scratch, Int64(chunks)) == 0 else {
            throw SinabsError(.outOfMemory, "Linear: cannot allocate the scatter tables")
        }
        return true
    }
}
