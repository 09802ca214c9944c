import CSinabsKernels

/// A layer of spiking (or leaky) neurons with sinabs 3.1.3 semantics: IAF,
/// LIF, ExpLeak and ALIF, in plain, squeeze or recurrent form.
///
/// States (`v_mem`, `i_syn`, `b`, `spike_threshold`) are created as zeros on
/// the first forward with shape (Batch, ...) and carried to the next call.
/// A new trailing shape re-creates them as zeros; so does a new batch size
/// (sinabs' plain LIF/IAF resample old states at random there, its ALIF and
/// recurrent forms start from zeros: zeros are reproducible).
///
/// Deliberate differences from sinabs, each covered by a test:
/// - MembraneReset sets v_mem to reset_value only where a neuron spiked
///   (sinabs adds reset_value to every other neuron as well).
/// - ALIF with tau_syn carries i_syn to the next call (sinabs leaves its i_syn
///   buffer at zero).
/// - Recordings of ALIF and recurrent forms hold each step's own states
///   (sinabs' entries for all but the last step are overwritten by the next
///   step's pre-spike values).
///
/// NaN and Inf are not checked (a check would cost a pass over memory):
/// they propagate by IEEE arithmetic like in torch. A NaN input gives a NaN
/// membrane and, with MultiSpike or MaxSpike, a NaN output; SingleSpike
/// emits 0 for NaN.
public final class NeuronLayer: Layer {
    /// The options the layer was created with (fixed for its life).
    public let options: NeuronOptions
    /// Parameters in sinabs' order (`named_parameters`), scalar tensors except
    /// the recurrent weight.
    var parameters: [(name: String, tensor: Tensor)]
    var states: [String: Tensor] = [:]
    var recordings: [String: Tensor] = [:]
    /// Mean output per neuron and step of the last forward (sinabs'
    /// `firing_rate`; for ExpLeak the mean membrane potential).
    public internal(set) var firingRate: Float = 0
    public var training = false
    /// The tape of the last training forward and the parameter gradients.
    let autograd = NeuronAutograd()
    /// Memory for `forward(_:)`'s result, reused once the caller releases it.
    var outputPool: RecycledBuffer?

    /// A layer with `options`, its states empty until the first forward.
    ///
    /// - Throws: ``SinabsError/Code/invalidArgument`` for options sinabs would refuse
    ///   (a time constant or threshold <= 0, a squeeze form without sizes, ...).
    public init(_ options: NeuronOptions) throws {
        try options.validate()
        self.options = options
        parameters = try Self.initialParameters(options)
        for name in options.stateNames { states[name] = try Tensor(zeros: [0]) }
    }

    // MARK: Forward

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        _ = try layout(of: inputShape)
        return inputShape
    }

    /// (batch, time, trailing shape) of an input, checked against the form.
    func layout(of shape: [Int]) throws -> (batch: Int, time: Int, trailing: [Int]) {
        switch options.form {
        case .plain, .recurrent:
            guard shape.count >= 2 else {
                throw SinabsError.shape("input must be (Batch, Time, ...), got rank \(shape.count)")
            }
            let layout = (batch: shape[0], time: shape[1], trailing: Array(shape.dropFirst(2)))
            if case .recurrent(let n) = options.form {
                let features = try Shape.elementCount(layout.trailing)
                guard features == n else {
                    throw SinabsError.shape("recurrent layer has \(n) neurons per sample, input has \(features)")
                }
            }
            return layout
        case .squeeze(let batchSize, let numTimesteps):
            guard let first = shape.first else {
                throw SinabsError.shape("input must be (Batch*Time, ...), got rank 0")
            }
            let trailing = Array(shape.dropFirst())
            if let batchSize {
                guard first % batchSize == 0 else {
                    throw SinabsError.shape("batch_size \(batchSize) does not divide the first dimension \(first)")
                }
                if let numTimesteps {
                    let (product, overflow) = batchSize.multipliedReportingOverflow(by: numTimesteps)
                    guard !overflow, product == first else {
                        throw SinabsError.shape("batch_size \(batchSize) x num_timesteps \(numTimesteps) != \(first)")
                    }
                }
                return (batchSize, first / batchSize, trailing)
            }
            let steps = numTimesteps ?? 1
            guard first % steps == 0 else {
                throw SinabsError.shape("num_timesteps \(steps) does not divide the first dimension \(first)")
            }
            return (first / steps, steps, trailing)
        }
    }

    /// Runs all time steps of `input` into `output` (same element count, not
    /// overlapping the input or anything the layer keeps). Everything that
    /// can fail is checked or allocated before any state changes, including
    /// a new tape: on error (allocation failure too) the layer is as before,
    /// the last training forward's tape included.
    public func forward(_ input: Tensor, into output: Tensor) throws {
        let (batch, time, trailing) = try layout(of: input.shape)
        try validateParameters()
        guard output.count == input.count else {
            throw SinabsError.shape("output has \(output.count) elements, input \(input.count)")
        }
        try checkOutputDisjoint(output, input: input)
        let stateShape = [batch] + trailing
        let neurons = try Shape.elementCount(trailing)
        // Squeeze: an empty input with a large num_timesteps makes (B, T, ...)
        // unaddressable, and time * neurons below would trap.
        _ = try Shape.elementCount([batch, time] + trailing)
        let perNeuron = try perNeuronAlphas(stateShape: stateShape)
        let reinitialise = !statesInitialised || states["v_mem"]?.shape != stateShape
        let fresh = reinitialise ? try Self.zeroStates(stateNames, shape: stateShape) : nil
        var newRecordings: [String: Tensor] = [:]
        if options.recordStates {
            for name in stateNames { newRecordings[name] = try Tensor.uninitialized([batch, time] + trailing) }
        }
        let recurrentScratch = try recurrentBuffers(batch: batch, neurons: neurons)
        let tape = training ? try tapeForForward(batch: batch, time: time, neurons: neurons) : nil

        // Nothing below can fail: from here on the layer changes.
        if let tape {
            commitTape(tape, input: input, perNeuron: perNeuron)
            tape.stateShape = stateShape
            tape.recordingShape = [batch, time] + trailing
            if let vMem = (fresh ?? states)["v_mem"] {
                try tape.vStart.copyElements(from: vMem)  // backward's membrane before step 0
            }
        }
        if let fresh { states = fresh }
        recordings = newRecordings
        var params = kernelParameters()
        perNeuron?.attach(&params)
        var io = snk_neuron_io()
        io.batch = Int64(batch)
        io.neurons = Int64(neurons)
        io.v_mem = states["v_mem"]?.baseAddress
        io.i_syn = states["i_syn"]?.baseAddress
        io.b = states["b"]?.baseAddress
        io.threshold = states["spike_threshold"]?.baseAddress
        let total = input.count
        var outputSum = 0.0
        withExtendedLifetime(perNeuron) {  // params points into its arrays
            withUnsafePointer(to: params) { params in
                if let (combined, feedback) = recurrentScratch {
                    outputSum = runRecurrent(params, &io, input: input, output: output, time: time,
                                             combined: combined, feedback: feedback)
                } else {
                    io.time = Int64(time)
                    io.input_stride = Int64(time * neurons)
                    io.output_stride = Int64(time * neurons)
                    io.input = UnsafePointer(input.baseAddress)
                    io.output = output.baseAddress
                    setRecordingPointers(&io, offset: 0)
                    outputSum = snk_neuron_forward(params, &io)
                }
            }
        }
        firingRate = total > 0 ? Float(outputSum / Double(total)) : .nan
    }

    func setRecordingPointers(_ io: inout snk_neuron_io, offset: Int) {
        io.rec_v_mem = recordings["v_mem"]?.baseAddress.map { $0 + offset }
        io.rec_i_syn = recordings["i_syn"]?.baseAddress.map { $0 + offset }
        io.rec_b = recordings["b"]?.baseAddress.map { $0 + offset }
        io.rec_threshold = recordings["spike_threshold"]?.baseAddress.map { $0 + offset }
        if training { autograd.tape?.attach(&io, offset: offset) }
    }

    /// The kernel's constants from the options and the current parameters.
    func kernelParameters() -> snk_neuron_params {
        var p = snk_neuron_params()
        p.has_syn = options.tauSyn != nil ? 1 : 0
        p.norm_input = options.normalisesInput ? 1 : 0
        p.adaptive = options.adaptive ? 1 : 0
        p.alpha_mem = options.hasTauMem ? alpha("mem") : 1
        p.alpha_syn = alpha("syn")
        p.alpha_adapt = alpha("adapt")
        p.threshold = options.adaptive ? options.spikeThreshold : (scalar("spike_threshold") ?? 1)
        p.adapt_scale = options.adaptScale
        switch options.spikeFunction {
        case .multi: p.spike_fn = Int32(SNK_SPIKE_MULTI)
        case .single: p.spike_fn = Int32(SNK_SPIKE_SINGLE)
        case .max(let m):
            p.spike_fn = Int32(SNK_SPIKE_MAX)
            p.max_spikes = Float(m)
        }
        if !options.spikes { p.spike_fn = Int32(SNK_SPIKE_NONE) }
        switch options.reset {
        case .subtract(let value):
            p.reset_fn = Int32(SNK_RESET_SUBTRACT)
            p.subtract_threshold = value == nil ? 1 : 0
            p.subtract_value = value ?? 0
        case .membrane(let value):
            p.reset_fn = Int32(SNK_RESET_TO_VALUE)
            p.reset_value = value
        }
        // ALIF keeps min_v_mem as a plain number, the others as a parameter.
        if let minVMem = options.adaptive ? options.minVMem : scalar("min_v_mem") {
            p.has_min_v_mem = 1
            p.min_v_mem = minVMem
        }
        return p
    }
}
