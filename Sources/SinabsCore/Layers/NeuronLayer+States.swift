// States of a neuron layer (v_mem, i_syn, b, spike_threshold): plain tensors
// of shape (Batch, ...) that the user may read, set and reset.
extension NeuronLayer {
    /// `v_mem`, and `i_syn` with tauSyn; ALIF also `b` and `spike_threshold`.
    public var stateNames: [String] { options.stateNames }

    /// The state tensor itself (shape [0] before the first forward).
    public func state(named name: String) throws -> Tensor {
        guard let state = states[name] else { throw Self.missing("state", name) }
        return state
    }

    var statesInitialised: Bool { states["v_mem"].map { $0.shape != [0] } ?? false }

    /// Copies `value` into state `name`. Once states exist, `value` must have
    /// their shape (a mismatch is an error and changes nothing). Before the
    /// first forward, `value` fixes the shape: every state is created as zeros
    /// of that shape and `name` gets `value` (sinabs would drop a lone state
    /// of another shape at the next forward; here it is kept).
    public func setState(named name: String, to value: Tensor) throws {
        let current = try state(named: name)
        if statesInitialised {
            guard value.shape == current.shape else {
                throw SinabsError.shape("state \(name) has shape \(current.shape), got \(value.shape)")
            }
            try current.copyElements(from: value)
        } else {
            guard value.rank >= 1 else { throw SinabsError.shape("a state needs a batch dimension") }
            let fresh = try Self.zeroStates(stateNames, shape: value.shape)
            try fresh[name]?.copyElements(from: value)
            states = fresh
        }
    }

    /// Zeros every state, or with `randomize` fills each with uniform values in
    /// `ranges[name]` (default 0...1) from a SplitMix64 generator seeded with
    /// `seed`, states in `stateNames` order: the same seed gives the same states.
    /// Does nothing before the first forward (like sinabs).
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

    /// New zero states (sinabs initialises ALIF's spike_threshold to 0 as
    /// well; forward sets it to b0 + adapt_scale * b before use).
    static func zeroStates(_ names: [String], shape: [Int]) throws -> [String: Tensor] {
        var fresh: [String: Tensor] = [:]
        for name in names { fresh[name] = try Tensor(zeros: shape) }
        return fresh
    }

    /// The per-step record of state `name` from the last forward, (B, T, ...):
    /// element [b, t] is the state after step t. Shape [0] when nothing was
    /// recorded (record_states off, or no forward yet).
    public func recording(named name: String) throws -> Tensor {
        guard stateNames.contains(name) else { throw Self.missing("state", name) }
        return try recordings[name] ?? Tensor(zeros: [0])
    }
}
