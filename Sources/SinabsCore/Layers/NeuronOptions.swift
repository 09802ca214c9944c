/// The neuron models of sinabs.layers.
public enum NeuronModel: Int32, Sendable, CaseIterable {
    /// Integrate-and-fire (no leak), leaky integrate-and-fire, leaky integrator
    /// without spikes, and LIF with an adaptive threshold (Bellec et al. 2018).
    /// The raw values are the C ABI's `SINABS_NEURON_*`.
    case iaf = 1, lif = 2, expLeak = 3, alif = 4
}

/// How a neuron layer lays out its input.
public enum NeuronForm: Equatable, Sendable {
    /// (Batch, Time, ...).
    case plain
    /// (Batch*Time, ...) with the batch size or the number of time steps given
    /// (the other is inferred per call), like sinabs' *Squeeze layers.
    case squeeze(batchSize: Int?, numTimesteps: Int?)
    /// (Batch, Time, ...) with a Linear recurrent connection over the
    /// `features` neurons of a sample, like sinabs' *Recurrent layers.
    case recurrent(features: Int)
}

/// sinabs.activation spike functions.
public enum SpikeFunction: Equatable, Sendable {
    /// (v > 0) * trunc(v / threshold): several spikes per step.
    case multi
    /// v >= threshold: at most one spike per step.
    case single
    /// MultiSpike clamped to `maxSpikesPerBin`.
    case max(maxSpikesPerBin: Int)
}

/// sinabs.activation reset functions.
public enum ResetFunction: Equatable, Sendable {
    /// v -= spikes * (value ?? threshold).
    case subtract(value: Float?)
    /// v = value where a spike occurred. (sinabs also adds `value` to neurons
    /// that did not spike; we do not: see the README.)
    case membrane(value: Float)
}

/// sinabs.activation surrogate gradient functions, used by backward.
public enum SurrogateGradient: Equatable, Sendable {
    /// `gradScale / w * exp(-|v - threshold| / w)`, `w = threshold * gradWidth` (the default).
    case singleExponential(gradWidth: Float = 0.5, gradScale: Float = 1)
    /// `1 / threshold` where `v >= threshold - window`, else 0.
    case heaviside(window: Float = 1)
    /// `gradScale` times the normal density of `v - threshold` with mean `mu` and deviation `sigma`.
    case gaussian(mu: Float = 0, sigma: Float = 0.5, gradScale: Float = 1)
    /// A Gaussian with two negative side lobes of weight `h` and width `s * sigma` (Yin et al. 2021).
    case multiGaussian(mu: Float = 0, sigma: Float = 0.5, h: Float = 0.15, s: Float = 6, gradScale: Float = 1)
    /// An exponential peak at every multiple of the threshold, for MultiSpike.
    case periodicExponential(gradWidth: Float = 0.5, gradScale: Float = 1)
}

/// Everything that defines a neuron layer; the defaults are sinabs 3.1.3's.
public struct NeuronOptions: Equatable, Sendable {
    /// The neuron model.
    public var model: NeuronModel
    /// The input layout: plain, squeeze or recurrent.
    public var form: NeuronForm = .plain
    /// Membrane time constant (LIF, ExpLeak, ALIF). sinabs has no default; 10.
    public var tauMem: Float = 10
    /// Synaptic time constant; nil: the input is the current (no i_syn state).
    public var tauSyn: Float? = nil
    /// ALIF: time constant of the threshold adaptation. sinabs has no default; 10.
    public var tauAdapt: Float = 10
    /// ALIF: threshold increase per unit of `b`.
    public var adaptScale: Float = 1.8
    /// Spike threshold; for ALIF the base threshold b0.
    public var spikeThreshold: Float = 1
    /// How many spikes a membrane potential emits: `.multi` (IAF, LIF), `.single` (ALIF).
    public var spikeFunction: SpikeFunction
    /// What a spike does to the membrane; default: subtract the threshold.
    public var reset: ResetFunction = .subtract(value: nil)
    /// The derivative of the spike function that backward uses.
    public var surrogate: SurrogateGradient = .singleExponential()
    /// Lower bound of the membrane after each step; nil: none.
    public var minVMem: Float? = nil
    /// Scale the input by (1 - alpha_mem). IAF ignores it (sinabs' IAF has none).
    public var normInput: Bool
    /// Train alpha = exp(-1/tau) rather than tau. IAF ignores it (sinabs' IAF
    /// always has tau_syn).
    public var trainAlphas: Bool = false
    /// Keep every state at every time step of the last forward.
    public var recordStates: Bool = false

    /// sinabs' defaults for `model`: plain form, MultiSpike (ALIF: SingleSpike),
    /// subtract reset, SingleExponential surrogate, norm_input for LIF and ALIF.
    public init(_ model: NeuronModel) {
        self.model = model
        self.spikeFunction = model == .alif ? .single : .multi
        self.normInput = model == .lif || model == .alif
    }

    var hasTauMem: Bool { model != .iaf }
    var normalisesInput: Bool { normInput && hasTauMem }
    var trainsAlphas: Bool { trainAlphas && hasTauMem }
    var spikes: Bool { model != .expLeak }
    var adaptive: Bool { model == .alif }

    /// Throws for any option sinabs would reject or that has no meaning.
    public func validate() throws {
        func positive(_ value: Float, _ name: String) throws {
            guard value.isFinite, value > 0 else {
                throw SinabsError.invalid("\(name) must be a finite number > 0, got \(value)")
            }
        }
        if hasTauMem { try positive(tauMem, "tau_mem") }
        if let tauSyn { try positive(tauSyn, "tau_syn") }
        if adaptive {
            try positive(tauAdapt, "tau_adapt")
            guard adaptScale.isFinite else { throw SinabsError.invalid("adapt_scale must be finite") }
        }
        if spikes { try positive(spikeThreshold, "spike_threshold") }
        if case .max(let m) = spikeFunction, m < 1 {
            throw SinabsError.invalid("max_num_spikes_per_bin must be >= 1, got \(m)")
        }
        switch reset {
        case .subtract(let v?) where !v.isFinite: throw SinabsError.invalid("subtract_value must be finite")
        case .membrane(let v) where !v.isFinite: throw SinabsError.invalid("reset_value must be finite")
        default: break
        }
        if let minVMem, !minVMem.isFinite { throw SinabsError.invalid("min_v_mem must be finite") }
        try surrogate.validate()
        switch form {
        case .plain: break
        case .squeeze(let b, let t):
            guard b != nil || t != nil else {
                throw SinabsError.invalid("a squeeze layer needs batch_size or num_timesteps")
            }
            if let b, b < 1 { throw SinabsError.invalid("batch_size must be >= 1, got \(b)") }
            if let t, t < 1 { throw SinabsError.invalid("num_timesteps must be >= 1, got \(t)") }
        case .recurrent(let n):
            guard n >= 1 else { throw SinabsError.invalid("recurrent features must be >= 1, got \(n)") }
            guard model != .expLeak else { throw SinabsError.invalid("ExpLeak has no recurrent form") }
        }
    }

    /// The state names, in sinabs' order.
    public var stateNames: [String] {
        var names = ["v_mem"]
        if tauSyn != nil { names.append("i_syn") }
        if adaptive { names += ["b", "spike_threshold"] }
        return names
    }
}

extension SurrogateGradient {
    func validate() throws {
        func check(_ ok: Bool, _ what: String) throws {
            if !ok { throw SinabsError.invalid("surrogate gradient: \(what)") }
        }
        switch self {
        case .singleExponential(let w, let s), .periodicExponential(let w, let s):
            try check(w.isFinite && w > 0 && s.isFinite, "grad_width must be > 0 and grad_scale finite")
        case .heaviside(let window):
            try check(window.isFinite, "window must be finite")
        case .gaussian(let mu, let sigma, let scale):
            try check(mu.isFinite && sigma.isFinite && sigma > 0 && scale.isFinite, "sigma must be > 0")
        case .multiGaussian(let mu, let sigma, let h, let s, let scale):
            try check(mu.isFinite && sigma.isFinite && sigma > 0 && h.isFinite && s.isFinite && s > 0
                      && scale.isFinite, "sigma and s must be > 0")
        }
    }
}
