import CSinabsKernels

// Per-neuron time constants: tau_* (or alpha_* with train_alphas) may be
// tensors that broadcast against the states (Batch, ...), e.g. (N) or
// (C, H, W), as torch broadcasting goes (right-aligned, size-1 dims repeat).
// Each forward expands every decay factor to the states' shape for the
// kernels; backward reduces the per-neuron gradients over the broadcast
// dimensions back to each parameter's shape.

/// The decay factors of one forward, expanded to the states' shape, and
/// the time-constant parameters as they were (for d/dtau and the reduction).
struct PerNeuronAlphas {
    var alphas: [String: Tensor] = [:]       // "mem", "syn", "adapt" -> (B, ...)
    var parameters: [String: Tensor] = [:]   // "tau_mem" / "alpha_mem" ... -> copy

    /// Points the kernel's per-neuron alpha fields at the arrays (which must
    /// outlive the kernel call).
    func attach(_ params: inout snk_neuron_params) {
        params.alpha_mem_v = UnsafePointer(alphas["mem"]?.baseAddress)
        params.alpha_syn_v = UnsafePointer(alphas["syn"]?.baseAddress)
        params.alpha_adapt_v = UnsafePointer(alphas["adapt"]?.baseAddress)
    }
}

/// Element `k` of a tensor of `target` shape reads element `index(k)` of a
/// tensor of `source` shape broadcast to it.
struct BroadcastMap {
    let target: [Int]
    private let sourceStrides: [Int]  // per target dimension, 0 where repeated

    init(from source: [Int], to target: [Int], name: String) throws {
        let offset = target.count - source.count
        guard offset >= 0 else {
            throw SinabsError.shape("\(name) of shape \(source) has more dimensions than the states \(target)")
        }
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for d in stride(from: source.count - 1, through: 0, by: -1) {
            let size = source[d], wanted = target[d + offset]
            guard size == wanted || size == 1 else {
                throw SinabsError.shape("\(name) of shape \(source) does not broadcast against the states (Batch, ...) \(target)")
            }
            strides[d + offset] = size == 1 ? 0 : step
            step *= size
        }
        self.target = target
        sourceStrides = strides
    }

    /// Calls body(target index, source index) for every target element, in order.
    func forEach(_ body: (Int, Int) -> Void) {
        let count = target.reduce(1, *)
        guard count > 0 else { return }
        var counter = [Int](repeating: 0, count: target.count)
        var source = 0
        for k in 0..<count {
            body(k, source)
            var d = target.count - 1
            while d >= 0 {  // odometer increment, source index follows
                counter[d] += 1
                source += sourceStrides[d]
                if counter[d] < target[d] { break }
                source -= sourceStrides[d] * counter[d]
                counter[d] = 0
                d -= 1
            }
        }
    }
}

extension NeuronLayer {
    static let timeConstantSuffixes = ["mem", "syn", "adapt"]

    static func isTimeConstant(_ name: String) -> Bool {
        timeConstantSuffixes.contains { name == "tau_" + $0 || name == "alpha_" + $0 }
    }

    /// The tau_* or alpha_* parameter of a suffix, if the layer has one.
    func timeConstant(_ suffix: String) -> (name: String, tensor: Tensor)? {
        parameters.first { $0.name == "tau_" + suffix || $0.name == "alpha_" + suffix }
    }

    /// True when some time constant is not a scalar.
    var hasPerNeuronTimeConstants: Bool {
        Self.timeConstantSuffixes.contains { timeConstant($0).map { $0.tensor.rank > 0 } ?? false }
    }

    /// Every decay factor the kernels read, expanded to `stateShape`, or nil
    /// when all time constants are scalars. Throws (changing nothing) when a
    /// time constant does not broadcast against the states.
    func perNeuronAlphas(stateShape: [Int]) throws -> PerNeuronAlphas? {
        guard hasPerNeuronTimeConstants else { return nil }
        var result = PerNeuronAlphas()
        var needed = ["mem"]  // IAF's alpha_mem is 1 for every neuron
        if options.tauSyn != nil { needed.append("syn") }
        if options.adaptive { needed.append("adapt") }
        for suffix in needed {
            let expanded = try Tensor.uninitialized(stateShape)
            guard let out = expanded.baseAddress else { result.alphas[suffix] = expanded; continue }
            if let (name, tensor) = timeConstant(suffix), let values = tensor.baseAddress {
                let map = try BroadcastMap(from: tensor.shape, to: stateShape, name: name)
                let isTau = name.hasPrefix("tau_")
                map.forEach { k, source in out[k] = isTau ? Self.decay(values[source]) : values[source] }
                result.parameters[name] = try tensor.copy()
            } else {
                for k in 0..<expanded.count { out[k] = 1 }
            }
            result.alphas[suffix] = expanded
        }
        return result
    }

    /// Adds the per-neuron d/dalpha arrays of a backward (state-shaped) to the
    /// accumulators of the time constants they came from, reduced over the
    /// broadcast dimensions (and through alpha = exp(-1/tau) for tau_*).
    func accumulatePerNeuron(_ gradients: [String: Tensor], _ alphas: PerNeuronAlphas, stateShape: [Int]) throws {
        for (suffix, gradient) in gradients {
            guard let name = alphas.parameters.keys.first(where: { $0.hasSuffix("_" + suffix) }),
                  let values = alphas.parameters[name]?.baseAddress, let shape = alphas.parameters[name]?.shape,
                  let g = gradient.baseAddress else { continue }
            var sums = [Double](repeating: 0, count: shape.reduce(1, *))
            try BroadcastMap(from: shape, to: stateShape, name: name).forEach { k, source in
                sums[source] += Double(g[k])
            }
            var accumulator = try gradientAccumulator(name)
            if accumulator.shape != shape {  // the parameter was reshaped since
                accumulator = try Tensor(zeros: shape)
                autograd.gradients[name] = accumulator
            }
            guard let out = accumulator.baseAddress else { continue }
            for p in 0..<sums.count {
                if name.hasPrefix("tau_") {  // d alpha / d tau = exp(-1/tau) / tau^2
                    let tau = Double(values[p])
                    out[p] += Float(sums[p] * Double(Self.decay(values[p])) / (tau * tau))
                } else {
                    out[p] += Float(sums[p])
                }
            }
        }
    }
}
