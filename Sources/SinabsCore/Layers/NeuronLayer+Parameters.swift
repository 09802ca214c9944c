#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Parameters of a neuron layer: named as sinabs' `named_parameters()`, in the
// same order, each a tensor that the kernels read at every forward.
extension NeuronLayer {
    /// sinabs' parameters for `options`, at their initial values:
    /// IAF: [tau_syn], [min_v_mem], spike_threshold
    /// LIF: tau_mem, [tau_syn], [min_v_mem], spike_threshold
    /// ExpLeak: tau_mem, [min_v_mem]
    /// ALIF: tau_mem, tau_adapt, [tau_syn] (b0 and min_v_mem are plain numbers there)
    /// With `trainAlphas`, alpha_* = exp(-1/tau_*) replaces each tau_*;
    /// recurrent forms end with rec_connect.weight (N x N, zero).
    static func initialParameters(_ options: NeuronOptions) throws -> [(name: String, tensor: Tensor)] {
        var list: [(name: String, tensor: Tensor)] = []
        func scalar(_ name: String, _ value: Float) throws { list.append((name, try Tensor(scalar: value))) }
        func time(_ suffix: String, _ tau: Float) throws {
            try options.trainsAlphas ? scalar("alpha_" + suffix, decay(tau)) : scalar("tau_" + suffix, tau)
        }
        if options.hasTauMem { try time("mem", options.tauMem) }
        if options.adaptive {
            try time("adapt", options.tauAdapt)
            if let tauSyn = options.tauSyn { try time("syn", tauSyn) }
        } else {
            if let tauSyn = options.tauSyn { try time("syn", tauSyn) }
            if let minVMem = options.minVMem { try scalar("min_v_mem", minVMem) }
            if options.spikes { try scalar("spike_threshold", options.spikeThreshold) }
        }
        if case .recurrent(let n) = options.form {
            list.append(("rec_connect.weight", try Tensor(zeros: [n, n])))
        }
        return list
    }

    /// exp(-1/tau) in float32, as torch computes it.
    static func decay(_ tau: Float) -> Float { expf(-1.0 / tau) }

    /// Parameter names in sinabs' order: `tau_mem` (or `alpha_mem` with
    /// train_alphas), `tau_syn`, `spike_threshold`, `min_v_mem`,
    /// `rec_connect.weight`, ... as the options have them.
    public var parameterNames: [String] { parameters.map(\.name) }

    public func parameter(named name: String) throws -> Tensor {
        guard let found = parameters.first(where: { $0.name == name }) else { throw Self.missing("parameter", name) }
        return found.tensor
    }

    /// Copies `value` into the parameter after checking its shape and range
    /// (tau and spike_threshold > 0, alpha in (0, 1], all finite); on error the
    /// parameter is unchanged. Time constants (tau_*, alpha_*) take any
    /// non-empty shape, checked against the states at the next forward. On a recurrent layer without a bias,
    /// "rec_connect.bias" adds one.
    public func setParameter(named name: String, to value: Tensor) throws {
        if try addRecurrentBias(named: name, value) { return }
        let target = try parameter(named: name)
        if Self.isTimeConstant(name) {
            // Any shape: each element is checked, broadcasting against the
            // states at the next forward (see NeuronLayer+PerNeuron).
            for v in value.scalars { try Self.validateScalar(name, v) }
            guard value.shape != target.shape else { return try target.copyElements(from: value) }
            guard value.count > 0 else { throw SinabsError.shape("\(name) must not be empty, got shape \(value.shape)") }
            let copy = try value.copy()
            if let index = parameters.firstIndex(where: { $0.name == name }) { parameters[index].tensor = copy }
            return
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
            guard v > 0, v <= 1 else { throw SinabsError.invalid("\(name) must be in (0, 1], got \(v)") }
        default:
            guard v.isFinite else { throw SinabsError.invalid("\(name) must be finite, got \(v)") }
        }
    }

    func scalar(_ name: String) -> Float? {
        parameters.first(where: { $0.name == name })?.tensor.baseAddress?.pointee
    }

    /// The decay factor of a time constant: the alpha parameter itself, or
    /// exp(-1/tau) of the tau parameter; 1 when the layer has neither.
    func alpha(_ suffix: String) -> Float {
        if let alpha = scalar("alpha_" + suffix) { return alpha }
        if let tau = scalar("tau_" + suffix) { return Self.decay(tau) }
        return 1
    }
}
