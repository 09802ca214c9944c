#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSinabsKernels

/// A layer of spiking (or leaky) neurons with sinabs semantics: IAF, LIF,
/// ExpLeak and ALIF, in plain, squeeze or recurrent form.
///
/// States (`v_mem`, `i_syn`, `b`, `spike_threshold`) are created on the first
/// forward with shape (Batch, ...), carried to the next call, and re-created
/// as zeros when the trailing shape or the batch size changes.
public final class NeuronLayer: Layer {
    public let options: NeuronOptions
    /// Parameters in sinabs' order (`named_parameters`), scalar tensors except
    /// the recurrent weight/bias.
    private var parameters: [(name: String, tensor: Tensor)]
    private var states: [String: Tensor]
    private var recordings: [String: Tensor] = [:]
    /// Mean output per neuron and step of the last forward.
    public private(set) var firingRate: Float = 0
    public var training = false

    public init(_ options: NeuronOptions) throws {
        try options.validate()
        self.options = options
        var parameters: [(String, Tensor)] = []
        func scalar(_ name: String, _ value: Float) throws { parameters.append((name, try Tensor(scalar: value))) }
        func decay(_ tau: Float) -> Float { expf(-1.0 / tau) }
        let alphas = options.trainAlphas
        if options.hasTauMem {
            try alphas ? scalar("alpha_mem", decay(options.tauMem)) : scalar("tau_mem", options.tauMem)
        }
        if let tauSyn = options.tauSyn {
            try alphas ? scalar("alpha_syn", decay(tauSyn)) : scalar("tau_syn", tauSyn)
        }
        if options.adaptive {
            try alphas ? scalar("alpha_adapt", decay(options.tauAdapt)) : scalar("tau_adapt", options.tauAdapt)
        }
        if let minVMem = options.minVMem { try scalar("min_v_mem", minVMem) }
        if options.spikes && !options.adaptive { try scalar("spike_threshold", options.spikeThreshold) }
        if case .recurrent(let n) = options.form {
            parameters.append(("rec_connect.weight", try Tensor(zeros: [n, n])))
        }
        self.parameters = parameters
        self.states = [:]
        for name in options.stateNames { states[name] = try Tensor(zeros: [0]) }
    }

    // MARK: Parameters

    public var parameterNames: [String] { parameters.map(\.name) }

    public func parameter(named name: String) throws -> Tensor {
        guard let found = parameters.first(where: { $0.name == name }) else { throw Self.missing("parameter", name) }
        return found.tensor
    }

    public func setParameter(named name: String, to value: Tensor) throws {
        let target = try parameter(named: name)
        if name == "rec_connect.bias" && value.shape != target.shape {
            throw SinabsError.shape("\(name) has shape \(target.shape), got \(value.shape)")
        }
        guard value.shape == target.shape else {
            throw SinabsError.shape("\(name) has shape \(target.shape), got \(value.shape)")
        }
        if value.rank == 0, let v = value.scalars.first {
            try Self.validateScalar(name, v)
        } else if value.scalars.contains(where: { !$0.isFinite }) {
            throw SinabsError.invalid("\(name) must be finite")
        }
        try target.copyElements(from: value)
    }

    private static func validateScalar(_ name: String, _ v: Float) throws {
        switch name {
        case "tau_mem", "tau_syn", "tau_adapt", "spike_threshold":
            guard v.isFinite, v > 0 else { throw SinabsError.invalid("\(name) must be > 0, got \(v)") }
        case "alpha_mem", "alpha_syn", "alpha_adapt":
            guard v > 0, v < 1 else { throw SinabsError.invalid("\(name) must be in (0, 1), got \(v)") }
        default:
            guard v.isFinite else { throw SinabsError.invalid("\(name) must be finite") }
        }
    }

    private func scalar(_ name: String) -> Float? {
        parameters.first(where: { $0.name == name })?.tensor.baseAddress?.pointee
    }

    /// exp(-1/tau) from the tau parameter, or the alpha parameter itself.
    private func alpha(_ suffix: String) -> Float {
        if let alpha = scalar("alpha_" + suffix) { return alpha }
        if let tau = scalar("tau_" + suffix) { return expf(-1.0 / tau) }
        return 1
    }

    // MARK: States

    public var stateNames: [String] { options.stateNames }

    public func state(named name: String) throws -> Tensor {
        guard let state = states[name] else { throw Self.missing("state", name) }
        return state
    }

    var statesInitialised: Bool { states["v_mem"].map { $0.shape != [0] } ?? false }

    public func setState(named name: String, to value: Tensor) throws {
        let current = try state(named: name)
        if statesInitialised {
            guard value.shape == current.shape else {
                throw SinabsError.shape("state \(name) has shape \(current.shape), got \(value.shape)")
            }
            try current.copyElements(from: value)
        } else {
            guard value.rank >= 1 else { throw SinabsError.shape("a state needs a batch dimension") }
            try initialiseStates(shape: value.shape)
            try states[name]!.copyElements(from: value)
        }
    }

    public func resetStates(randomize: Bool = false, ranges: [String: ClosedRange<Float>] = [:], seed: UInt64 = 0) {
        guard statesInitialised else { return }
        var generator = SplitMix64(seed: seed)
        for name in stateNames {
            guard let state = states[name] else { continue }
            if randomize {
                state.fillUniform(ranges[name] ?? 0...1, using: &generator)
            } else {
                state.fill(0)
            }
        }
    }

    /// All states as zeros of `shape` (allocated first, swapped in together).
    private func initialiseStates(shape: [Int]) throws {
        var fresh: [String: Tensor] = [:]
        for name in stateNames { fresh[name] = try Tensor(zeros: shape) }
        if options.adaptive, let threshold = fresh["spike_threshold"] {
            threshold.fill(options.spikeThreshold)  // b0 + adapt_scale * 0
        }
        states = fresh
    }

    /// The per-step record of state `name` from the last forward, (B, T, ...);
    /// shape [0] when nothing was recorded.
    public func recording(named name: String) throws -> Tensor {
        guard stateNames.contains(name) else { throw Self.missing("state", name) }
        return try recordings[name] ?? Tensor(zeros: [0])
    }

    // MARK: Forward

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        _ = try layout(of: inputShape)
        return inputShape
    }

    /// (batch, time, trailing shape) of an input, checked against the form.
    private func layout(of shape: [Int]) throws -> (batch: Int, time: Int, trailing: [Int]) {
        switch options.form {
        case .plain, .recurrent:
            guard shape.count >= 2 else {
                throw SinabsError.shape("input must be (Batch, Time, ...), got rank \(shape.count)")
            }
            let layout = (shape[0], shape[1], Array(shape.dropFirst(2)))
            if case .recurrent(let n) = options.form {
                let features = try Shape.elementCount(layout.2)
                guard features == n else {
                    throw SinabsError.shape("recurrent layer has \(n) neurons per sample, input has \(features)")
                }
            }
            return layout
        case .squeeze(let batchSize, let numTimesteps):
            guard shape.count >= 1 else {
                throw SinabsError.shape("input must be (Batch*Time, ...), got rank 0")
            }
            let first = shape[0]
            let trailing = Array(shape.dropFirst())
            if let batchSize {
                guard first % batchSize == 0 else {
                    throw SinabsError.shape("batch_size \(batchSize) does not divide the first dimension \(first)")
                }
                if let numTimesteps, batchSize * numTimesteps != first {
                    throw SinabsError.shape("batch_size \(batchSize) x num_timesteps \(numTimesteps) != \(first)")
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

    public func forward(_ input: Tensor, into output: Tensor) throws {
        let (batch, time, trailing) = try layout(of: input.shape)
        guard output.count == input.count else {
            throw SinabsError.shape("output has \(output.count) elements, input \(input.count)")
        }
        guard !output.sharesStorage(with: input) || input.count == 0 else {
            throw SinabsError.invalid("output must not share memory with the input")
        }
        let stateShape = [batch] + trailing
        let neurons = try Shape.elementCount(trailing)
        // Allocate everything that can fail before touching any state.
        let reinitialise = !statesInitialised || states["v_mem"]?.shape != stateShape
        var fresh: [String: Tensor] = [:]
        if reinitialise {
            for name in stateNames { fresh[name] = try Tensor(zeros: stateShape) }
        }
        var newRecordings: [String: Tensor] = [:]
        if options.recordStates {
            for name in stateNames { newRecordings[name] = try Tensor.uninitialized([batch, time] + trailing) }
        }
        let recurrentScratch = try recurrentBuffers(batch: batch, neurons: neurons)

        if reinitialise {
            if options.adaptive { fresh["spike_threshold"]?.fill(options.spikeThreshold) }
            states = fresh
        }
        recordings = newRecordings
        let params = kernelParameters()
        var io = snk_neuron_io()
        io.batch = Int64(batch)
        io.neurons = Int64(neurons)
        io.v_mem = states["v_mem"]?.baseAddress
        io.i_syn = states["i_syn"]?.baseAddress
        io.b = states["b"]?.baseAddress
        io.threshold = states["spike_threshold"]?.baseAddress
        let total = input.count
        var spikes = 0.0
        withUnsafePointer(to: params) { params in
            if let (combined, feedback) = recurrentScratch {
                spikes = runRecurrent(params, &io, input: input, output: output, time: time,
                                      combined: combined, feedback: feedback)
            } else {
                io.time = Int64(time)
                io.input_stride = Int64(time * neurons)
                io.output_stride = Int64(time * neurons)
                io.input = UnsafePointer(input.baseAddress)
                io.output = output.baseAddress
                setRecordingPointers(&io, offset: 0)
                spikes = snk_neuron_forward(params, &io)
            }
        }
        if !options.spikes {
            spikes = snk_sum(output.baseAddress, Int64(total))
        }
        firingRate = total > 0 ? Float(spikes / Double(total)) : .nan
    }

    private func setRecordingPointers(_ io: inout snk_neuron_io, offset: Int) {
        io.rec_v_mem = recordings["v_mem"]?.baseAddress.map { $0 + offset }
        io.rec_i_syn = recordings["i_syn"]?.baseAddress.map { $0 + offset }
        io.rec_b = recordings["b"]?.baseAddress.map { $0 + offset }
        io.rec_threshold = recordings["spike_threshold"]?.baseAddress.map { $0 + offset }
    }

    private func kernelParameters() -> snk_neuron_params {
        var p = snk_neuron_params()
        p.has_syn = options.tauSyn != nil ? 1 : 0
        p.norm_input = options.normInput ? 1 : 0
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
        if let minVMem = scalar("min_v_mem") {
            p.has_min_v_mem = 1
            p.min_v_mem = minVMem
        }
        return p
    }

    // MARK: Recurrent form

    /// Scratch of the recurrent form: the step input and the feedback, (B, N).
    private func recurrentBuffers(batch: Int, neurons: Int) throws -> (Tensor, Tensor)? {
        guard case .recurrent = options.form else { return nil }
        return (try Tensor.uninitialized([batch, neurons]), try Tensor(zeros: [batch, neurons]))
    }

    /// One kernel call per step: input_t + W s_{t-1} -> neurons -> s_t.
    private func runRecurrent(_ params: UnsafePointer<snk_neuron_params>, _ io: inout snk_neuron_io,
                              input: Tensor, output: Tensor, time: Int,
                              combined: Tensor, feedback: Tensor) -> Double {
        let batch = Int(io.batch), neurons = Int(io.neurons)
        guard let x = input.baseAddress, let y = output.baseAddress,
              let step = combined.baseAddress, let rec = feedback.baseAddress,
              let weight = try? parameter(named: "rec_connect.weight").baseAddress else { return 0 }
        io.time = 1
        io.input_stride = Int64(neurons)
        io.output_stride = Int64(time * neurons)
        var spikes = 0.0
        for t in 0..<time {
            for b in 0..<batch {
                let row = x + (b * time + t) * neurons
                for n in 0..<neurons { step[b * neurons + n] = row[n] + rec[b * neurons + n] }
            }
            io.input = UnsafePointer(step)
            io.output = y + t * neurons
            setRecordingPointers(&io, offset: t * neurons)
            spikes += snk_neuron_forward(params, &io)
            // feedback (B, N) = spikes_t (B, N) x W^T, gathered from the strided output.
            for b in 0..<batch {
                (step + b * neurons).update(from: y + (b * time + t) * neurons, count: neurons)
            }
            Gemm.multiplyTransposedB(m: batch, n: neurons, k: neurons, a: step, b: weight, c: rec, beta: 0)
        }
        return spikes
    }
}
