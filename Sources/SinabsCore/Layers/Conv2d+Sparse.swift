import CSinabsKernels

// Event-driven Conv2d: spikes are mostly zero, so each non-zero input adds
// its value x weights to the outputs its window reaches, skipping the zeros
// that im2col + GEMM would multiply. Results equal the dense kernel's up to
// float summation order.
extension Conv2d {
    /// Input density (non-zero fraction) below which the event-driven kernel
    /// runs, measured with bench/bench_conv_crossover.py on workload B's three
    /// layers (2->16 at 34x34, 16->32 at 17x17, 32->32 at 8x8; 3x3, 400
    /// frames, spike counts, 2 threads): the scatter kernel took 0.1-0.25x
    /// the dense time at 1-5% density, 0.2-0.8x at 20%, and became slower
    /// between 30% (first layer, 2 input channels: its dense GEMM is cheap)
    /// and 40-50% (the 16- and 32-channel layers).
    public static let sparseCrossoverDensity: Float = 0.3

    func chooseKernel(_ input: Tensor) throws -> ConvKernelChoice {
        if kernelChoice != .automatic { return kernelChoice }
        guard input.count > 0, let x = input.baseAddress else { return .dense }
        return isSparse(x, count: input.count, below: Self.sparseCrossoverDensity) ? .sparse : .dense
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
        guard snk_conv_scatter(&shape, x, Int64(plan.samples), weightT, bias?.baseAddress, y, scratch,
                               Int64(chunks)) == 0 else {
            throw SinabsError(.outOfMemory, "Conv2d: cannot allocate the scatter tables")
        }
    }
}
