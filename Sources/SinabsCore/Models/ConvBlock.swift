import CSinabsKernels

/// Conv2d -> squeeze-form neuron layer -> SumPool2d (optional) run frame by
/// frame in one kernel (snk_conv_block_forward) when a Sequential runs for
/// inference and the conv input is sparse: the conv output and the spikes of
/// a frame stay in cache instead of going through memory three times. The
/// results and the layers' states, firing rate and `lastKernel` are those of
/// the layers run one after another (same arithmetic, same order).
struct ConvBlock {
    let conv: Conv2d
    let neuron: NeuronLayer
    let pool: SumPool2d?

    /// Layers the block replaces.
    var count: Int { pool == nil ? 2 : 3 }

    /// The block starting at `index` of `layers`, if those layers can fuse
    /// (inference everywhere, a squeeze-form neuron layer without recordings).
    init?(_ layers: [Layer], at index: Int) {
        guard index + 1 < layers.count, let conv = layers[index] as? Conv2d, !conv.training,
              conv.kernelChoice != .dense, let neuron = layers[index + 1] as? NeuronLayer, neuron.isFusable
        else { return nil }
        self.conv = conv
        self.neuron = neuron
        let next = index + 2 < layers.count ? layers[index + 2] as? SumPool2d : nil
        pool = next.flatMap { $0.training ? nil : $0 }
    }

    /// Input density below which the block runs fused with the event-driven
    /// conv (an automatic Conv2d). Higher than the layer's own crossover
    /// (Conv2d.sparseCrossoverDensity) because fusing also saves the memory
    /// passes: on workload B's three blocks (2->16, 16->32, 32->32 channels,
    /// 3x3, 400 frames, 2 threads; bench/bench_block_crossover.py) the fused
    /// block took 0.11-0.2x the time of dense conv + separate layers at 5-27%
    /// density and 0.3-0.5x at 30-100% (its 2-input-channel block, whose
    /// dense product is the smallest). Wider layers favour the dense product
    /// more, hence a margin below 100%.
    static let sparseCrossoverDensity: Float = 0.75

    /// Whether this block, given input of `inputShape`, can hand its output
    /// channels-last straight to `next`: its pool (if any) writes pooled rows
    /// as they come and the next block's scatter reads pixels as they are, so
    /// no frame is transposed in between.
    func handsOffChannelsLast(to next: ConvBlock?, inputShape: [Int]) -> Bool {
        guard let next, let plan = try? conv.plan(for: inputShape) else { return false }
        var outputShape = plan.outputShape
        if let pool {
            guard let framePlan = try? Pool2dPlan(pool.geometry, inputShape: Array(plan.outputShape.dropFirst()),
                                                  "SumPool2d") else { return false }
            var poolShape = framePlan.shape
            guard snk_conv_block_writes_channels_last(&poolShape) == 1,
                  let pooled = try? pool.outputShape(for: plan.outputShape) else { return false }
            outputShape = pooled
        }
        guard var frame = try? next.conv.plan(for: outputShape).shape else { return false }
        return snk_conv_block_takes_channels_last(&frame) == 1
    }

    /// Runs the block on `input` (N, C, H, W) into `output` (the last fused
    /// layer's output) and returns the output's non-zero count; nil, changing
    /// nothing, when the input is too dense (sparseCrossoverDensity; judged
    /// from `inputNonzero` when the previous block counted it) or the conv is
    /// forced dense. With `inputChannelsLast` / `outputChannelsLast` the
    /// frames are (H, W, C) instead (see handsOffChannelsLast).
    func forward(_ input: Tensor, into output: Tensor, inputChannelsLast: Bool = false,
                 outputChannelsLast: Bool = false, inputNonzero: Int? = nil) throws -> Int? {
        guard input.rank == 4, input.count > 0, let data = input.baseAddress else { return nil }
        switch conv.kernelChoice {
        case .dense: return nil
        case .sparse: break
        case .automatic:
            let limit = Self.sparseCrossoverDensity
            if let inputNonzero {
                guard Float(inputNonzero) < limit * Float(input.count) else { return nil }
            } else {
                guard isSparse(data, count: input.count, below: limit) else { return nil }
            }
        }
        let plan = try conv.plan(for: input.shape)
        var frame = plan.shape
        let poolShape = try pool.map {
            try Pool2dPlan($0.geometry, inputShape: Array(plan.outputShape.dropFirst()), "SumPool2d").shape
        }
        let batch = try neuron.layout(of: plan.outputShape).batch
        let chunks = max(1, min(batch, 4 * Threads.count))
        let weightT = try conv.workspace.buffer("weight_t", count: conv.weight.count)
        let scratch = try conv.workspace.buffer("block", count: chunks * Int(snk_conv_block_scratch(&frame)))
        // The last step that can fail; the neuron layer's states change here.
        let (params, _, time) = try neuron.beginFusedForward(inputShape: plan.outputShape)
        var result = snk_conv_block_result()
        if let x = input.baseAddress, let y = output.baseAddress, let w = conv.weight.baseAddress, plan.outputCount > 0 {
            snk_conv_transpose_weight(&frame, w, weightT)
            var block = snk_conv_block()
            block.weight_t = UnsafePointer(weightT)
            block.bias = UnsafePointer(conv.bias?.baseAddress)
            neuron.fusedStates(&block)
            if let pool {
                block.pool_count_include_pad = 1
                block.pool_scale = Float(pool.geometry.kernel.height * pool.geometry.kernel.width)
            }
            block.batch = Int64(batch)
            block.time = Int64(time)
            block.input = UnsafePointer(x)
            block.output = y
            block.scratch = scratch
            block.chunks = Int64(chunks)
            block.input_channels_last = inputChannelsLast ? 1 : 0
            block.output_channels_last = outputChannelsLast ? 1 : 0
            let status = Self.run(&block, conv: frame, neuron: params, pool: poolShape, result: &result)
            guard status != -2 else { throw SinabsError(.internal, "Conv2d block: channels-last frames it cannot take") }
            guard status == 0 else { throw SinabsError(.outOfMemory, "Conv2d block: cannot allocate its tables") }
        }
        conv.lastKernel = .sparse
        neuron.endFusedForward(outputSum: result.spike_sum, count: plan.outputCount)
        return Int(result.output_nonzero)
    }

    /// The kernel call with the block's shape and parameter pointers set.
    private static func run(_ block: inout snk_conv_block, conv: snk_conv_shape, neuron: snk_neuron_params,
                            pool: snk_pool_shape?, result: inout snk_conv_block_result) -> Int32 {
        withUnsafePointer(to: conv) { conv in
            withUnsafePointer(to: neuron) { neuron in
                block.conv = conv
                block.neuron = neuron
                guard let pool else { return snk_conv_block_forward(&block, &result) }
                return withUnsafePointer(to: pool) { pool in
                    block.pool = pool
                    return snk_conv_block_forward(&block, &result)
                }
            }
        }
    }
}
