import CSinabsKernels

/// sinabs.layers.NeuromorphicReLU: ReLU, then with `quantize` floor; with
/// `stochasticRounding` a training forward rounds up with probability
/// frac(x) (one draw per element from the layer's stream, ``UniformDraws``) and an
/// eval forward rounds half to even (torch.round). Backward passes the
/// gradient where the input was > 0 (ReLU's gradient; the rounding is
/// straight-through). `from_model` turns it into a spiking layer.
public final class NeuromorphicReLU: ParameterlessLayer, DescribableLayer {
    public let quantize: Bool
    /// Multiplies `activity` (synaptic operations per output event).
    public let fanout: Int
    public let stochasticRounding: Bool
    public var training = false
    /// sum(output) / output.shape[0] * fanout of the last forward (sinabs' `activity`).
    public private(set) var activity: Float = 0
    private var stream: RandomStream
    /// Keeps the training input: ReLU's backward is this layer's (the rounding is straight-through).
    private let relu = ReLU()

    /// - Parameters:
    ///   - quantize: round the ReLU's output (floor, or as `stochasticRounding` says).
    ///   - fanout: multiplies `activity`.
    ///   - stochasticRounding: training rounds up with probability frac(x); eval rounds half to even.
    ///   - seed: the stochastic-rounding stream; nil draws one from the process-wide generator.
    public init(quantize: Bool = true, fanout: Int = 1, stochasticRounding: Bool = false, seed: UInt64? = nil) {
        self.quantize = quantize
        self.fanout = fanout
        self.stochasticRounding = stochasticRounding
        stream = RandomStream(seed: seed)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    private var mode: Int32 {
        guard quantize else { return Int32(SNK_QUANTIZE_NONE) }
        guard stochasticRounding else { return Int32(SNK_QUANTIZE_FLOOR) }
        return Int32(training ? SNK_QUANTIZE_STOCHASTIC : SNK_QUANTIZE_ROUND)
    }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        try checkOutput(output, of: input, shape: input.shape)
        let mode = mode
        let first = mode == Int32(SNK_QUANTIZE_STOCHASTIC) ? stream.take(input.count) : 0
        relu.pendingInput.record(input, training: training)
        if let x = input.baseAddress, let y = output.baseAddress {
            snk_relu_quantize(x, Int64(input.count), mode, stream.seed, first, y)
        }
        let rows = input.shape.first ?? 1
        let sum = output.withUnsafeBufferPointer { $0.reduce(0, +) }
        activity = rows == 0 ? .nan : sum / Float(rows) * Float(fanout)
    }

    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        try relu.backward(gradOutput)
    }

    public static var kinds: [String] { ["NeuromorphicReLU"] }

    public var layerDescription: LayerDescription {
        LayerDescription(kind: "NeuromorphicReLU", arguments: [
            "quantize": .bool(quantize), "fanout": .int(fanout), "stochastic_rounding": .bool(stochasticRounding),
            "seed": stream.argument,
        ])
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        try description.checkArgumentNames(allowed: ["quantize", "fanout", "stochastic_rounding", "seed"])
        self.init(quantize: try description.bool("quantize", default: true), fanout: try description.int("fanout", default: 1),
                  stochasticRounding: try description.bool("stochastic_rounding", default: false),
                  seed: try RandomStream.seed(from: description))
    }
}
