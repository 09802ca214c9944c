// Neuron layers in a model file: kind = sinabs' class name (IAF, LIFSqueeze,
// ALIFRecurrent, ...), arguments = its constructor's. Activation objects are
// flattened into dotted names, as Python would spell their arguments:
// spike_fn = "MaxSpike" with "spike_fn.max_num_spikes_per_bin",
// reset_fn = "MembraneSubtract" / "MembraneReset" with "reset_fn.subtract_value"
// / "reset_fn.reset_value", surrogate_grad_fn = "SingleExponential", ... with
// "surrogate_grad_fn.grad_width" etc. A recurrent layer's rec_connect is
// "rec_connect.in_features" / ".out_features" / ".bias" (its weights travel
// as parameters).
extension NeuronLayer: DescribableLayer {
    private static let modelNames: [(NeuronModel, String)] = [(.iaf, "IAF"), (.lif, "LIF"), (.expLeak, "ExpLeak"), (.alif, "ALIF")]

    /// IAF, LIF, ExpLeak, ALIF and their Squeeze and Recurrent forms.
    public static var kinds: [String] {
        modelNames.flatMap { model, name in
            model == .expLeak ? [name, name + "Squeeze"] : [name, name + "Squeeze", name + "Recurrent"]
        }
    }

    /// sinabs' class name and constructor arguments for these options.
    public var layerDescription: LayerDescription {
        let o = options
        var a: [String: LayerArgument] = [:]
        var kind = Self.modelNames.first(where: { $0.0 == o.model })?.1 ?? "IAF"
        switch o.form {
        case .plain: break
        case .squeeze(let batchSize, let numTimesteps):
            kind += "Squeeze"
            a["batch_size"] = batchSize.map { .int($0) } ?? LayerArgument.none
            a["num_timesteps"] = numTimesteps.map { .int($0) } ?? LayerArgument.none
        case .recurrent(let n):
            kind += "Recurrent"
            a["rec_connect.in_features"] = .int(n)
            a["rec_connect.out_features"] = .int(n)
            a["rec_connect.bias"] = .bool(parameterNames.contains("rec_connect.bias"))
        }
        if o.hasTauMem {
            a["tau_mem"] = .float(o.tauMem)
            a["norm_input"] = .bool(o.normInput)
            a["train_alphas"] = .bool(o.trainAlphas)
        }
        a["tau_syn"] = o.tauSyn.map { .float($0) } ?? LayerArgument.none
        if o.adaptive {
            a["tau_adapt"] = .float(o.tauAdapt)
            a["adapt_scale"] = .float(o.adaptScale)
        }
        if o.spikes {
            a["spike_threshold"] = .float(o.spikeThreshold)
            Self.describe(o.spikeFunction, into: &a)
            Self.describe(o.reset, into: &a)
            Self.describe(o.surrogate, into: &a)
        }
        a["min_v_mem"] = o.minVMem.map { .float($0) } ?? LayerArgument.none
        a["record_states"] = .bool(o.recordStates)
        return LayerDescription(kind: kind, arguments: a)
    }

    /// A layer from sinabs' class name and constructor arguments; missing
    /// arguments take sinabs' defaults.
    public convenience init(description d: LayerDescription) throws {
        try d.requireKind(Self.kinds)
        guard let (model, name) = Self.modelNames.last(where: { d.kind.hasPrefix($0.1) }) else {
            throw SinabsError.invalid("'\(d.kind)' is not a neuron layer")
        }
        var o = NeuronOptions(model)
        var allowed: Set<String> = ["tau_syn", "min_v_mem", "record_states"]
        switch d.kind.dropFirst(name.count) {
        case "Squeeze":
            o.form = .squeeze(batchSize: try d.optionalInt("batch_size"), numTimesteps: try d.optionalInt("num_timesteps"))
            allowed.formUnion(["batch_size", "num_timesteps"])
        case "Recurrent":
            let n = try d.int("rec_connect.in_features")
            guard try d.int("rec_connect.out_features") == n else {
                throw d.failure("rec_connect must map the \(n) neurons to themselves")
            }
            guard (1...Int(Int32.max)).contains(n) else { throw d.failure("rec_connect.in_features must be in 1...\(Int32.max)") }
            o.form = .recurrent(features: n)
            allowed.formUnion(["rec_connect.in_features", "rec_connect.out_features", "rec_connect.bias"])
        default: break
        }
        if o.hasTauMem {
            o.tauMem = try d.float("tau_mem")
            o.normInput = try d.bool("norm_input", default: o.normInput)
            o.trainAlphas = try d.bool("train_alphas", default: false)
            allowed.formUnion(["tau_mem", "norm_input", "train_alphas"])
        }
        o.tauSyn = try d.optionalFloat("tau_syn")
        if o.adaptive {
            o.tauAdapt = try d.float("tau_adapt")
            o.adaptScale = try d.float("adapt_scale", default: o.adaptScale)
            allowed.formUnion(["tau_adapt", "adapt_scale"])
        }
        if o.spikes {
            o.spikeThreshold = try d.float("spike_threshold", default: 1)
            o.spikeFunction = try Self.spikeFunction(d, default: o.spikeFunction)
            o.reset = try Self.reset(d)
            o.surrogate = try Self.surrogate(d)
            allowed.formUnion(Self.activationArgumentNames)
        }
        o.minVMem = try d.optionalFloat("min_v_mem")
        o.recordStates = try d.bool("record_states", default: false)
        try d.checkArgumentNames(allowed: allowed)
        try self.init(o)
        if case .recurrent(let n) = o.form, try d.bool("rec_connect.bias", default: false) {
            try setParameter(named: "rec_connect.bias", to: try Tensor(zeros: [n]))
        }
    }
}

// MARK: Activation objects

extension NeuronLayer {
    static let activationArgumentNames: Set<String> = [
        "spike_threshold", "spike_fn", "spike_fn.max_num_spikes_per_bin", "reset_fn", "reset_fn.subtract_value",
        "reset_fn.reset_value", "surrogate_grad_fn", "surrogate_grad_fn.grad_width", "surrogate_grad_fn.grad_scale",
        "surrogate_grad_fn.window", "surrogate_grad_fn.mu", "surrogate_grad_fn.sigma", "surrogate_grad_fn.h",
        "surrogate_grad_fn.s",
    ]

    static func describe(_ f: SpikeFunction, into a: inout [String: LayerArgument]) {
        switch f {
        case .multi: a["spike_fn"] = .string("MultiSpike")
        case .single: a["spike_fn"] = .string("SingleSpike")
        case .max(let m):
            a["spike_fn"] = .string("MaxSpike")
            a["spike_fn.max_num_spikes_per_bin"] = .int(m)
        }
    }

    static func spikeFunction(_ d: LayerDescription, default fallback: SpikeFunction) throws -> SpikeFunction {
        guard d.arguments["spike_fn"] != nil else { return fallback }
        switch try d.string("spike_fn") {
        case "MultiSpike": return .multi
        case "SingleSpike": return .single
        case "MaxSpike": return .max(maxSpikesPerBin: try d.int("spike_fn.max_num_spikes_per_bin", default: 1))
        case let other: throw d.failure("unknown spike_fn '\(other)'")
        }
    }

    static func describe(_ r: ResetFunction, into a: inout [String: LayerArgument]) {
        switch r {
        case .subtract(let value):
            a["reset_fn"] = .string("MembraneSubtract")
            a["reset_fn.subtract_value"] = value.map { .float($0) } ?? LayerArgument.none
        case .membrane(let value):
            a["reset_fn"] = .string("MembraneReset")
            a["reset_fn.reset_value"] = .float(value)
        }
    }

    static func reset(_ d: LayerDescription) throws -> ResetFunction {
        switch try d.string("reset_fn", default: "MembraneSubtract") {
        case "MembraneSubtract": return .subtract(value: try d.optionalFloat("reset_fn.subtract_value"))
        case "MembraneReset": return .membrane(value: try d.float("reset_fn.reset_value", default: 0))
        case let other: throw d.failure("unknown reset_fn '\(other)'")
        }
    }

    static func describe(_ s: SurrogateGradient, into a: inout [String: LayerArgument]) {
        let p = "surrogate_grad_fn."
        switch s {
        case .singleExponential(let width, let scale), .periodicExponential(let width, let scale):
            if case .singleExponential = s {
                a["surrogate_grad_fn"] = .string("SingleExponential")
            } else {
                a["surrogate_grad_fn"] = .string("PeriodicExponential")
            }
            a[p + "grad_width"] = .float(width)
            a[p + "grad_scale"] = .float(scale)
        case .heaviside(let window):
            a["surrogate_grad_fn"] = .string("Heaviside")
            a[p + "window"] = .float(window)
        case .gaussian(let mu, let sigma, let scale):
            a["surrogate_grad_fn"] = .string("Gaussian")
            (a[p + "mu"], a[p + "sigma"], a[p + "grad_scale"]) = (.float(mu), .float(sigma), .float(scale))
        case .multiGaussian(let mu, let sigma, let h, let s, let scale):
            a["surrogate_grad_fn"] = .string("MultiGaussian")
            (a[p + "mu"], a[p + "sigma"], a[p + "h"], a[p + "s"], a[p + "grad_scale"]) =
                (.float(mu), .float(sigma), .float(h), .float(s), .float(scale))
        }
    }

    static func surrogate(_ d: LayerDescription) throws -> SurrogateGradient {
        func f(_ name: String, _ fallback: Float) throws -> Float { try d.float("surrogate_grad_fn." + name, default: fallback) }
        switch try d.string("surrogate_grad_fn", default: "SingleExponential") {
        case "SingleExponential": return .singleExponential(gradWidth: try f("grad_width", 0.5), gradScale: try f("grad_scale", 1))
        case "PeriodicExponential": return .periodicExponential(gradWidth: try f("grad_width", 0.5), gradScale: try f("grad_scale", 1))
        case "Heaviside": return .heaviside(window: try f("window", 1))
        case "Gaussian": return .gaussian(mu: try f("mu", 0), sigma: try f("sigma", 0.5), gradScale: try f("grad_scale", 1))
        case "MultiGaussian":
            return .multiGaussian(mu: try f("mu", 0), sigma: try f("sigma", 0.5), h: try f("h", 0.15), s: try f("s", 6),
                                  gradScale: try f("grad_scale", 1))
        case let other: throw d.failure("unknown surrogate_grad_fn '\(other)'")
        }
    }
}
