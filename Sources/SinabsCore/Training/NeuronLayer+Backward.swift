import CSinabsKernels

// Exact backpropagation through time for neuron layers: the gradients autograd
// gives through sinabs 3.1.3's step graph (surrogate spike gradient, gradient
// through the reset, ALIF's adaptive threshold, the recurrent feedback),
// computed by one fused reverse-time kernel from the tape of the forward.
extension NeuronLayer {
    /// Parameters that receive gradients (spike_threshold and min_v_mem are
    /// fixed in sinabs: requires_grad=False).
    public var trainableParameterNames: [String] {
        parameterNames.filter { $0 != "spike_threshold" && $0 != "min_v_mem" }
    }

    /// Called by a training forward before it touches any state: makes the
    /// tape ready (reusing its buffers when the shape is unchanged).
    func prepareTape(input: Tensor, batch: Int, time: Int, neurons: Int, perNeuron: PerNeuronAlphas?) throws {
        let recurrent: Bool
        if case .recurrent = options.form { recurrent = true } else { recurrent = false }
        let tape: NeuronTape
        if let old = autograd.tape, old.fits(batch: batch, time: time, neurons: neurons) {
            tape = old
        } else {
            autograd.tape = nil  // free the old buffers before allocating new ones
            tape = try NeuronTape(batch: batch, time: time, neurons: neurons, hasSyn: options.tauSyn != nil,
                                  adaptive: options.adaptive, recurrent: recurrent)
            autograd.tape = tape
        }
        if tape.u == nil {  // the last backward handed it out as its result
            tape.u = try autograd.tapeMemoryTensor(shape: [batch, time, neurons])
        }
        if let weight = tape.weight { try weight.copyElements(from: try parameter(named: "rec_connect.weight")) }
        tape.input = recurrent ? nil : input
        tape.inputShape = input.shape
        tape.params = kernelParameters()
        tape.perNeuron = perNeuron
        tape.taus = [:]
        for name in ["tau_mem", "tau_syn", "tau_adapt"] {
            if let tau = try? parameter(named: name).scalars.first { tape.taus[name] = tau }
        }
        tape.pending = true
    }

    /// Moves the tape of the last training forward out of the layer, into a
    /// handle that backward goes through later (`.state` error without a
    /// training forward since the last backward or take). The layer starts
    /// its next training forward with a new tape.
    public func takeTape() throws -> NeuronTapeHandle {
        guard let tape = autograd.tape, tape.pending else {
            throw SinabsError(.state, "no training forward to take the tape of (train mode off, or already taken)")
        }
        autograd.tape = nil
        return NeuronTapeHandle(layer: self, tape: tape)
    }

    /// The gradient w.r.t. the input of the last training forward, for
    /// `gradOutput` = dL/d(output) of that forward; adds the parameters'
    /// gradients to their accumulators. One backward per training forward.
    /// The states the forward started from are constants here (truncated
    /// BPTT per call); `takeTape()` and `NeuronTapeHandle.backward` carry
    /// gradients across calls.
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        guard let tape = autograd.tape, tape.pending else {
            throw SinabsError(.state, "backward needs a forward with training on since the last backward")
        }
        return try backward(through: tape, gradOutput, finalStateGradients: [:], recordingGradients: [:]).gradInput
    }

    /// Backward through `tape` (a training forward of this layer) with
    /// dL/d(states after that forward) in `finalStateGradients` (by state
    /// name, each of the state's shape; a missing one is zero). Returns the
    /// input gradient and dL/d(states before the forward) for every state.
    /// `recordingGradients` are dL/d(recorded states), (B, T, ...) each.
    /// Everything that can fail is checked before the tape is used.
    func backward(through tape: NeuronTape, _ gradOutput: Tensor, finalStateGradients: [String: Tensor],
                  recordingGradients: [String: Tensor]) throws -> (gradInput: Tensor, stateGradients: [String: Tensor]) {
        guard tape.pending else {
            throw SinabsError(.state, "this training forward's graph was already used by a backward")
        }
        guard gradOutput.shape == tape.inputShape else {
            throw SinabsError.shape("grad_output must have the forward's output shape \(tape.inputShape), got \(gradOutput.shape)")
        }
        for (name, gradient) in finalStateGradients {
            guard stateNames.contains(name) else { throw Self.missing("state", name) }
            guard gradient.shape == tape.stateShape else {
                throw SinabsError.shape("the gradient of state \(name) must have its shape \(tape.stateShape), got \(gradient.shape)")
            }
        }
        for (name, gradient) in recordingGradients {
            guard stateNames.contains(name) else { throw Self.missing("state", name) }
            guard gradient.shape == tape.recordingShape else {
                throw SinabsError.shape("the gradient of recording \(name) must have its shape \(tape.recordingShape), got \(gradient.shape)")
            }
        }
        guard let u = tape.u else { throw SinabsError(.state, "the training forward's tape has no membrane record") }
        if tape.x != nil { try Self.checkBLASSizes(batch: tape.batch, rowLength: tape.time * tape.neurons) }
        // The kernel writes each step's input gradient over that step's u
        // after its last read: the result takes the tape's memory, no new
        // 4 bytes per neuron-step (the tape gives u up below).
        let gradInput = try u.reshaped(tape.inputShape)
        // The carried gradients start as dL/d(final states) and end as
        // dL/d(initial states); ALIF's spike_threshold = b0 + adapt_scale * b.
        let carried = [tape.batch, tape.neurons]
        let gradV = try carriedGradient(finalStateGradients["v_mem"], carried)
        let gradI = try carriedGradient(finalStateGradients["i_syn"], carried)
        let gradB = try carriedGradient(finalStateGradients["b"], carried)
        if let threshold = finalStateGradients["spike_threshold"], let gb = gradB.baseAddress,
           let gt = threshold.baseAddress {
            let scale = tape.params.adapt_scale
            for k in 0..<gradB.count { gb[k] += scale * gt[k] }
        }
        let recurrentScratch = tape.x == nil ? nil
            : (spikes: try Tensor.uninitialized([tape.batch, tape.time, tape.neurons]), feedback: try Tensor(zeros: carried))
        for name in trainableParameterNames { _ = try gradientAccumulator(name) }
        var stateGradients: [String: Tensor] = [:]
        for name in stateNames {
            // spike_threshold is recomputed from b before it is read: zero.
            let gradient = ["v_mem": gradV, "i_syn": gradI, "b": gradB][name]
            stateGradients[name] = try (gradient ?? Tensor(zeros: carried)).reshaped(tape.stateShape)
        }

        let recorded = try recordedGradients(recordingGradients, adaptScale: tape.params.adapt_scale)
        var io = snk_neuron_grad_io()
        io.grad_rec_v = UnsafePointer(recorded.v?.baseAddress)
        io.grad_rec_i = UnsafePointer(recorded.i?.baseAddress)
        io.grad_rec_b = UnsafePointer(recorded.b?.baseAddress)
        io.batch = Int64(tape.batch)
        io.neurons = Int64(tape.neurons)
        io.grad_v = gradV.baseAddress
        io.grad_i = gradI.baseAddress
        io.grad_b = gradB.baseAddress
        io.want_alpha_mem = options.hasTauMem ? 1 : 0
        var params = tape.params
        tape.perNeuron?.attach(&params)
        var perNeuronGradients: [String: Tensor] = [:]
        if let perNeuron = tape.perNeuron {  // d/dalpha per neuron, state-shaped
            for suffix in perNeuron.alphas.keys { perNeuronGradients[suffix] = try Tensor(zeros: carried) }
            io.d_alpha_mem_v = perNeuronGradients["mem"]?.baseAddress
            io.d_alpha_syn_v = perNeuronGradients["syn"]?.baseAddress
            io.d_alpha_adapt_v = perNeuronGradients["adapt"]?.baseAddress
        }
        var surrogate = kernelSurrogate()
        if let scratch = recurrentScratch {
            runRecurrentBackward(tape, &io, recorded: recorded, &params, &surrogate, gradOutput: gradOutput, gradInput: gradInput,
                                 spikes: scratch.spikes, feedback: scratch.feedback)
        } else if let input = tape.input {
            let rowStride = Int64(tape.time * tape.neurons)
            io.time = Int64(tape.time)
            io.input_stride = rowStride
            io.stride = rowStride
            io.input = UnsafePointer(input.baseAddress)
            io.tape_u = UnsafePointer(u.baseAddress)
            io.v_start = UnsafePointer(tape.vStart.baseAddress)
            io.tape_i = UnsafePointer(tape.i?.baseAddress)
            io.tape_b = UnsafePointer(tape.b?.baseAddress)
            io.grad_output = UnsafePointer(gradOutput.baseAddress)
            io.grad_input = gradInput.baseAddress
            snk_neuron_backward(&params, &surrogate, &io)
        }
        if let perNeuron = tape.perNeuron {
            try accumulatePerNeuron(perNeuronGradients, perNeuron, stateShape: tape.stateShape)
        } else {
            accumulateTimeConstants(io, tape)
        }
        tape.pending = false
        tape.input = nil
        tape.u = nil  // now the caller's gradient
        return (gradInput, stateGradients)
    }

    /// The kernel's recording gradients: ALIF's recorded threshold is
    /// b0 + adapt_scale * b, so its gradient joins b's.
    private func recordedGradients(_ gradients: [String: Tensor], adaptScale: Float) throws
        -> (v: Tensor?, i: Tensor?, b: Tensor?) {
        var b = gradients["b"]
        if let threshold = gradients["spike_threshold"], let gt = threshold.baseAddress {
            let combined = try b?.copy() ?? Tensor(zeros: threshold.shape)
            if let gb = combined.baseAddress {
                for k in 0..<combined.count { gb[k] += adaptScale * gt[k] }
            }
            b = combined
        }
        return (gradients["v_mem"], gradients["i_syn"], b)
    }

    /// A (B, N) copy of a state gradient (the shape was checked), or zeros.
    private func carriedGradient(_ gradient: Tensor?, _ shape: [Int]) throws -> Tensor {
        guard let gradient else { return try Tensor(zeros: shape) }
        return try gradient.copy().reshaped(shape)
    }

    /// Steps backwards one kernel call at a time: the gradient of input_t also
    /// reaches spikes_{t-1} through W (one GEMM per step), and
    /// dW = sum_t dInput_{t+1}^T spikes_t. gradInput is u's memory: the call
    /// for step t reads u rows t and t-1 and then writes row t, so the rows
    /// the GEMMs read (t+1 and later) are already gradients.
    private func runRecurrentBackward(_ tape: NeuronTape, _ io: inout snk_neuron_grad_io,
                                      recorded: (v: Tensor?, i: Tensor?, b: Tensor?),
                                      _ params: inout snk_neuron_params, _ surrogate: inout snk_surrogate,
                                      gradOutput: Tensor, gradInput: Tensor, spikes: Tensor, feedback: Tensor) {
        let batch = tape.batch, time = tape.time, n = tape.neurons, rowStride = time * n
        guard let x = tape.x?.baseAddress, let u = tape.u?.baseAddress, let weight = tape.weight?.baseAddress,
              let gy = gradOutput.baseAddress, let gx = gradInput.baseAddress,
              let s = spikes.baseAddress, let fb = feedback.baseAddress,
              let gradWeight = autograd.gradients["rec_connect.weight"]?.baseAddress else { return }
        io.time = 1
        io.input_stride = Int64(rowStride)
        io.stride = Int64(rowStride)
        io.extra_stride = Int64(n)
        for t in stride(from: time - 1, through: 0, by: -1) {
            let offset = t * n
            if t < time - 1 {  // dL/d spikes_t from input_{t+1} = ... + spikes_t W^T
                Gemm.multiply(m: batch, n: n, k: n, a: gx + offset + n, lda: rowStride, b: weight, ldb: n,
                              c: fb, ldc: n, beta: 0)
                io.grad_extra = UnsafePointer(fb)
            } else {
                io.grad_extra = nil
            }
            io.input = UnsafePointer(x + offset)
            io.tape_u = UnsafePointer(u + offset)
            io.v_start = t == 0 ? UnsafePointer(tape.vStart.baseAddress) : nil  // else the row before
            io.tape_i = UnsafePointer(tape.i?.baseAddress.map { $0 + offset })
            io.tape_b = UnsafePointer(tape.b?.baseAddress.map { $0 + offset })
            io.grad_output = UnsafePointer(gy + offset)
            io.grad_input = gx + offset
            io.grad_rec_v = UnsafePointer(recorded.v?.baseAddress.map { $0 + offset })
            io.grad_rec_i = UnsafePointer(recorded.i?.baseAddress.map { $0 + offset })
            io.grad_rec_b = UnsafePointer(recorded.b?.baseAddress.map { $0 + offset })
            io.spikes = s + offset
            snk_neuron_backward(&params, &surrogate, &io)
        }
        guard time > 1 else { return }
        for b in 0..<batch {
            let sample = b * rowStride
            Gemm.multiply(transposeA: true, m: n, n: n, k: time - 1, a: gx + sample + n, lda: n,
                          b: s + sample, ldb: n, c: gradWeight, ldc: n, beta: 1)
        }
        // rec_connect.bias (when set) is added at every step but the first.
        if let gradBias = autograd.gradients["rec_connect.bias"]?.baseAddress {
            var sums = [Double](repeating: 0, count: n)  // B (T - 1) terms each
            for b in 0..<batch {
                for t in 1..<time {
                    let row = gx + b * rowStride + t * n
                    for k in 0..<n { sums[k] += Double(row[k]) }
                }
            }
            for k in 0..<n { gradBias[k] += Float(sums[k]) }
        }
    }

    /// Adds d/dalpha_* (or d/dtau_* through alpha = exp(-1/tau)) to the accumulators.
    private func accumulateTimeConstants(_ io: snk_neuron_grad_io, _ tape: NeuronTape) {
        let sums = [("mem", io.d_alpha_mem, tape.params.alpha_mem), ("syn", io.d_alpha_syn, tape.params.alpha_syn),
                    ("adapt", io.d_alpha_adapt, tape.params.alpha_adapt)]
        for (suffix, dAlpha, alpha) in sums {
            if let grad = autograd.gradients["alpha_" + suffix] {
                grad.baseAddress?.pointee += Float(dAlpha)
            } else if let grad = autograd.gradients["tau_" + suffix], let tau = tape.taus["tau_" + suffix] {
                // d alpha / d tau = exp(-1/tau) / tau^2
                grad.baseAddress?.pointee += Float(dAlpha * Double(alpha) / (Double(tau) * Double(tau)))
            }
        }
    }

    func gradientAccumulator(_ name: String) throws -> Tensor {
        if let grad = autograd.gradients[name] { return grad }
        let grad = try Tensor(zeros: try parameter(named: name).shape)
        autograd.gradients[name] = grad
        return grad
    }

    /// A copy of the accumulated gradient of trainable parameter `name`
    /// (zeros before any backward).
    public func gradient(named name: String) throws -> Tensor {
        guard trainableParameterNames.contains(name) else { throw Self.missing("trainable parameter", name) }
        return try gradientAccumulator(name).copy()
    }

    /// Sets every parameter gradient accumulator to zero.
    public func zeroGrad() {
        for grad in autograd.gradients.values { grad.fill(0) }
    }

    private func kernelSurrogate() -> snk_surrogate {
        var s = snk_surrogate()
        switch options.surrogate {
        case .singleExponential(let width, let scale):
            s.kind = Int32(SNK_SURROGATE_SINGLE_EXPONENTIAL)
            (s.grad_width, s.grad_scale) = (width, scale)
        case .heaviside(let window):
            s.kind = Int32(SNK_SURROGATE_HEAVISIDE)
            s.window = window
        case .gaussian(let mu, let sigma, let scale):
            s.kind = Int32(SNK_SURROGATE_GAUSSIAN)
            (s.mu, s.sigma, s.grad_scale) = (mu, sigma, scale)
        case .multiGaussian(let mu, let sigma, let h, let width, let scale):
            s.kind = Int32(SNK_SURROGATE_MULTI_GAUSSIAN)
            (s.mu, s.sigma, s.h, s.s, s.grad_scale) = (mu, sigma, h, width, scale)
        case .periodicExponential(let width, let scale):
            s.kind = Int32(SNK_SURROGATE_PERIODIC_EXPONENTIAL)
            (s.grad_width, s.grad_scale) = (width, scale)
        }
        return s
    }
}
