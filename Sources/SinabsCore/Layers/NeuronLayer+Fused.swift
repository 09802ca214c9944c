import CSinabsKernels

// The neuron layer's part of a fused inference block (Sequential's
// ConvBlock): the checks and state set-up of forward(_:into:), the steps
// themselves run inside the block's kernel.
extension NeuronLayer {
    /// True when a fused kernel may run this layer's steps: inference,
    /// squeeze form, scalar time constants, no recordings.
    var isFusable: Bool {
        guard case .squeeze = options.form else { return false }
        return !training && !options.recordStates && !hasPerNeuronTimeConstants
    }

    /// Checks an input of `shape` and (re)creates the states as forward
    /// would; returns the kernel's constants and (batch, time). The layer
    /// changes only once nothing can fail any more.
    func beginFusedForward(inputShape shape: [Int]) throws -> (params: snk_neuron_params, batch: Int, time: Int) {
        let (batch, time, trailing) = try layout(of: shape)
        try validateParameters()
        _ = try Shape.elementCount(shape)
        let stateShape = [batch] + trailing
        if !statesInitialised || states["v_mem"]?.shape != stateShape {
            states = try Self.zeroStates(stateNames, shape: stateShape)
        }
        recordings = [:]
        return (kernelParameters(), batch, time)
    }

    /// The state pointers for the kernel (after beginFusedForward).
    func fusedStates(_ block: inout snk_conv_block) {
        block.v_mem = states["v_mem"]?.baseAddress
        block.i_syn = states["i_syn"]?.baseAddress
        block.b = states["b"]?.baseAddress
        block.threshold = states["spike_threshold"]?.baseAddress
    }

    /// The firing rate from the kernel's output sum over `count` outputs.
    func endFusedForward(outputSum: Double, count: Int) {
        firingRate = count > 0 ? Float(outputSum / Double(count)) : .nan
    }
}
