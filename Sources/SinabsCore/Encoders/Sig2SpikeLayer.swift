import CSinabsKernels

/// sinabs.layers.Sig2SpikeLayer: a (channels, time) signal into
/// (time * tw, channels): each sample repeated `tw` times, then with `spkOut`
/// a spike where a uniform draw * norm_level < the sample (one draw per
/// output element, in output order), else the upsampled signal itself.
public final class Sig2SpikeLayer: ParameterlessLayer, DescribableLayer {
    /// The channel count given at construction (sinabs does not check it against the input either).
    public let channelsIn: Int
    /// Steps per input sample.
    public let tw: Int
    /// The signal level that always spikes.
    public let normLevel: Float
    public let spkOut: Bool
    /// Sum of |output| of the last forward (sinabs' `spikes_number`).
    public private(set) var spikesNumber: Float = 0
    public var training = false
    private var stream: RandomStream

    /// - Throws: `.invalidArgument` for channels_in < 0, tw < 1 or a non-finite norm_level.
    public init(channelsIn: Int, tw: Int = 1, normLevel: Float = 1, spkOut: Bool = true, seed: UInt64? = nil) throws {
        guard channelsIn >= 0 else { throw SinabsError.invalid("Sig2SpikeLayer: channels_in must be >= 0, got \(channelsIn)") }
        guard tw >= 1, tw <= Int(Int32.max) else { throw SinabsError.invalid("Sig2SpikeLayer: tw must be in 1...\(Int32.max), got \(tw)") }
        guard normLevel.isFinite else { throw SinabsError.invalid("Sig2SpikeLayer: norm_level must be finite, got \(normLevel)") }
        self.channelsIn = channelsIn
        self.tw = tw
        self.normLevel = normLevel
        self.spkOut = spkOut
        stream = RandomStream(seed: seed)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 2 else {
            throw SinabsError.shape("Sig2SpikeLayer expects a (channels, time) signal, got \(inputShape)")
        }
        let (steps, overflow) = inputShape[1].multipliedReportingOverflow(by: tw)
        guard !overflow else { throw SinabsError(.outOfMemory, "Sig2SpikeLayer: time * tw overflows") }
        let shape = [steps, inputShape[0]]
        _ = try Shape.elementCount(shape)
        return shape
    }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        try checkOutput(output, of: input, shape: try outputShape(for: input.shape))
        let channels = input.shape[0], samples = input.shape[1]
        guard let x = input.baseAddress, let y = output.baseAddress else {
            spikesNumber = 0
            return
        }
        // Upsample and transpose: y[s * tw + k, c] = x[c, s].
        for c in 0..<channels {
            for s in 0..<samples {
                let value = x[c * samples + s]
                for k in 0..<tw { y[(s * tw + k) * channels + c] = value }
            }
        }
        if spkOut {
            let first = stream.take(output.count)
            spikesNumber = Float(snk_threshold_draws(y, Int64(output.count), normLevel, stream.seed, first, y))
        } else {
            spikesNumber = output.withUnsafeBufferPointer { $0.reduce(0) { $0 + abs($1) } }
        }
    }

    public static var kinds: [String] { ["Sig2SpikeLayer"] }

    public var layerDescription: LayerDescription {
        LayerDescription(kind: "Sig2SpikeLayer", arguments: [
            "channels_in": .int(channelsIn), "tw": .int(tw), "norm_level": .float(normLevel),
            "spk_out": .bool(spkOut), "seed": stream.argument,
        ])
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        try description.checkArgumentNames(allowed: ["channels_in", "tw", "norm_level", "spk_out", "seed"])
        try self.init(channelsIn: try description.int("channels_in"), tw: try description.int("tw", default: 1),
                      normLevel: try description.float("norm_level", default: 1),
                      spkOut: try description.bool("spk_out", default: true), seed: try RandomStream.seed(from: description))
    }
}
