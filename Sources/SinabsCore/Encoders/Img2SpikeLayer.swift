import CSinabsKernels

/// sinabs.layers.Img2SpikeLayer: rate coding of an input into `tw` time steps
/// of spikes, output (tw, ...input shape). Each step fires where a uniform
/// draw < input / norm * (max_rate / 1000); with `negativeSpikes` |input|
/// drives the rate and the spike carries the input's sign. `squeeze` removes
/// every dimension of size 1 first. Draws come from the layer's own
/// random stream (see ``UniformDraws``), one per output element in output order.
public final class Img2SpikeLayer: ParameterlessLayer, DescribableLayer {
    /// Time steps per input.
    public let tw: Int
    /// Firing rate (Hz at 1 ms per step) of an input equal to `norm`.
    public let maxRate: Float
    /// The input value that fires at `maxRate`.
    public let norm: Float
    public let squeeze: Bool
    public let negativeSpikes: Bool
    /// Sum of |spikes| of the last forward (sinabs' `spikes_number`).
    public private(set) var spikesNumber: Float = 0
    public var training = false
    private var stream: RandomStream

    /// - Parameters:
    ///   - tw: time steps per input, 1...Int32.max.
    ///   - maxRate: the rate (Hz at 1 ms per step) of an input equal to `norm`; finite.
    ///   - norm: the input value that fires at `maxRate`; finite, non-zero.
    ///   - squeeze: drop every dimension of size 1 from the input shape first.
    ///   - negativeSpikes: |input| drives the rate and spikes carry the input's sign.
    ///   - seed: the layer's stream; nil draws one from the process-wide generator.
    /// - Throws: `.invalidArgument` for tw < 1, non-finite max_rate or norm, norm 0.
    public init(tw: Int = 100, maxRate: Float = 1000, norm: Float = 255, squeeze: Bool = false,
                negativeSpikes: Bool = false, seed: UInt64? = nil) throws {
        guard tw >= 1, tw <= Int(Int32.max) else { throw SinabsError.invalid("Img2SpikeLayer: tw must be in 1...\(Int32.max), got \(tw)") }
        guard maxRate.isFinite else { throw SinabsError.invalid("Img2SpikeLayer: max_rate must be finite, got \(maxRate)") }
        guard norm.isFinite, norm != 0 else { throw SinabsError.invalid("Img2SpikeLayer: norm must be finite and non-zero, got \(norm)") }
        self.tw = tw
        self.maxRate = maxRate
        self.norm = norm
        self.squeeze = squeeze
        self.negativeSpikes = negativeSpikes
        stream = RandomStream(seed: seed)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let shape = [tw] + (squeeze ? inputShape.filter { $0 != 1 } : inputShape)
        _ = try Shape.elementCount(shape)
        return shape
    }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        try checkOutput(output, of: input, shape: try outputShape(for: input.shape))
        let first = stream.take(output.count)
        guard let x = input.baseAddress, let y = output.baseAddress else {
            spikesNumber = 0
            return
        }
        // sinabs computes max_rate / 1000 in double and scales the float tensor by it.
        let scale = Float(Double(maxRate) / 1000)
        spikesNumber = Float(snk_rate_code(x, Int64(input.count), Int64(tw), norm, scale, negativeSpikes ? 1 : 0,
                                           stream.seed, first, y))
    }

    public static var kinds: [String] { ["Img2SpikeLayer"] }

    public var layerDescription: LayerDescription {
        LayerDescription(kind: "Img2SpikeLayer", arguments: [
            "tw": .int(tw), "max_rate": .float(maxRate), "norm": .float(norm), "squeeze": .bool(squeeze),
            "negative_spikes": .bool(negativeSpikes), "seed": stream.argument,
        ])
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        try description.checkArgumentNames(allowed: ["image_shape", "tw", "max_rate", "norm", "squeeze",
                                                     "negative_spikes", "seed"])
        try self.init(tw: try description.int("tw", default: 100), maxRate: try description.float("max_rate", default: 1000),
                      norm: try description.float("norm", default: 255), squeeze: try description.bool("squeeze", default: false),
                      negativeSpikes: try description.bool("negative_spikes", default: false),
                      seed: try RandomStream.seed(from: description))
    }
}
