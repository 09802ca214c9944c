/// The arguments of sinabs' `from_model`: which spiking layer replaces each
/// ReLU, how biases are rescaled, and whether a spiking output is added.
public struct ConversionOptions: Equatable, Sendable {
    /// The layer that replaces every ReLU (and NeuromorphicReLU): its model,
    /// form (squeeze with batch_size / num_timesteps by default, as sinabs'
    /// IAFSqueeze), spike_threshold, spike_fn, reset_fn, surrogate_grad_fn and
    /// min_v_mem (sinabs' from_model defaults it to -1).
    public var spikingLayer: NeuronOptions
    /// Biases of Linear and Conv2d layers are divided by this (sinabs: 1).
    public var biasRescaling: Float = 1
    /// Append a spiking layer when the ANN does not end in a ReLU.
    public var addSpikingOutput = false
    /// sinabs' `input_shape` (without the batch dimension). When given, the
    /// SNN runs one forward of zeros shaped (batch_size * num_timesteps,
    /// input_shape...) (each 1 when unset), as sinabs' Network does to infer
    /// shapes: its neurons keep that step's state (biases charge them), so
    /// outputs match sinabs' exactly. Call `resetStates()` to drop it.
    public var inputShape: [Int]? = nil

    /// sinabs' defaults: IAFSqueeze with `batchSize` or `numTimesteps`,
    /// threshold 1, MultiSpike, MembraneSubtract, SingleExponential, min_v_mem -1.
    public init(batchSize: Int? = nil, numTimesteps: Int? = nil) {
        var layer = NeuronOptions(.iaf)
        layer.form = .squeeze(batchSize: numTimesteps == nil ? batchSize : nil, numTimesteps: numTimesteps)
        layer.minVMem = -1
        spikingLayer = layer
    }

    /// Throws `.invalidArgument` for options sinabs would reject or that
    /// would make a broken network (a bias rescaling of 0, NaN or infinity).
    public func validate() throws {
        guard biasRescaling.isFinite, biasRescaling != 0 else {
            throw SinabsError.invalid("bias_rescaling must be a finite non-zero number, got \(biasRescaling)")
        }
        guard spikingLayer.model != .expLeak else {
            throw SinabsError.invalid("the spiking layer must spike (IAF, LIF or ALIF), not ExpLeak")
        }
        try spikingLayer.validate()
        if let inputShape {
            guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 >= 1 }) else {
                throw SinabsError.invalid("input_shape must be sizes >= 1, got \(inputShape)")
            }
        }
    }

    /// The shape of sinabs' shape-inference input: (batch_size * num_timesteps, input_shape...).
    var dummyInputShape: [Int]? {
        guard let inputShape else { return nil }
        var leading = 1
        if case .squeeze(let b, let t) = spikingLayer.form { leading = (b ?? 1) * (t ?? 1) }
        return [leading] + inputShape
    }
}
