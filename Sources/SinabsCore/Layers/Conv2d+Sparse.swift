import CSinabsKernels

// Event-driven Conv2d: spikes are mostly zero, so each non-zero input adds
// its value x weights to the outputs its window reaches, skipping the zeros
// that im2col + GEMM would multiply. Results equal the dense kernel's up to
// float summation order.
extension Conv2d {
    /// Input density (non-zero fraction) below which the event-driven kernel
    /// runs. Measured by bench/bench_conv_crossover.py (see its output in
    /// the commit and the report): on workload B's layers (2->16, 16->32,
    /// 32->32 channels, 3x3, 34x34 .. 8x8, 400 samples, 2 threads) the
    /// scatter kernel is faster up to about 20-30% density.
    public static let sparseCrossoverDensity: Float = 0.2

    func chooseKernel(_ input: Tensor) throws -> ConvKernelChoice {
        if kernelChoice != .automatic { return kernelChoice }
        guard input.count > 0, let x = input.baseAddress else { return .dense }
        let nonZero = snk_count_nonzero(x, Int64(input.count))
        return Float(nonZero) < Self.sparseCrossoverDensity * Float(input.count) ? .sparse : .dense
    }

    func forwardSparse(_ plan: ConvPlan, _ x: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                       _ y: UnsafeMutablePointer<Float>) throws {
        var shape = plan.shape
        let weightT = try workspace.buffer("weight_t", count: weight.count)
        snk_conv_transpose_weight(&shape, w, weightT)
        // One accumulator per thread, only when the call is worth threads.
        let work = plan.samples * plan.inputPerSample
        let chunks = work < (1 << 16) ? 1 : min(Threads.count, plan.samples)
        let scratch = try workspace.buffer("scatter", count: chunks * plan.plane * Int(shape.out_channels))
        snk_conv_scatter(&shape, x, Int64(plan.samples), weightT, bias?.baseAddress, y, scratch, Int64(chunks))
    }
}
