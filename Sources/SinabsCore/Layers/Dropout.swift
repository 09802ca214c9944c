/// torch.nn.Dropout: in training, each element is zeroed with probability
/// `p` and the rest scaled by 1 / (1 - p); in eval, the identity. The mask
/// comes from a SplitMix64 stream seeded at construction (or `reseed`), so a
/// run is reproducible.
public final class Dropout: ParameterlessLayer, DescribableLayer {
    /// Probability that an element is zeroed while training (the rest scale by 1/(1-p)).
    public let p: Float
    public var training = false
    private var generator: SplitMix64
    /// The mask (0 or 1 / (1 - p)) of the last training forward.
    var pendingMask = PendingBackward<Tensor>()

    /// torch.nn.Dropout(p): identity in eval mode.
    ///
    /// - Parameters:
    ///   - p: in [0, 1].
    ///   - seed: a private seed for the masks; nil draws from the process-wide generator.
    public init(p: Float = 0.5, seed: UInt64? = nil) throws {
        guard p >= 0, p <= 1 else { throw SinabsError.invalid("Dropout: p must be in [0, 1], got \(p)") }
        self.p = p
        generator = SplitMix64(seed: seed ?? UInt64.random(in: .min ... .max))
    }

    /// Restarts the mask stream.
    public func reseed(_ seed: UInt64) { generator = SplitMix64(seed: seed) }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        try checkOutput(output, of: input, shape: input.shape)
        guard training else {
            try output.copyElements(from: input)
            return
        }
        let mask = try Tensor.uninitialized(input.shape)
        let keep: Float = p == 1 ? 0 : 1 / (1 - p)
        mask.withUnsafeMutableBufferPointer { m in
            for i in m.indices {
                let unit = Float(generator.next() >> 40) * 0x1p-24  // [0, 1)
                m[i] = unit < p ? 0 : keep
            }
        }
        pendingMask.record(mask, training: true)
        guard let x = input.baseAddress, let y = output.baseAddress, let m = mask.baseAddress else { return }
        for i in 0..<input.count { y[i] = x[i] * m[i] }
    }

    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let mask = try pendingMask.get()
        try checkGradient(gradOutput, expected: mask.shape)
        let gradInput = try Tensor.uninitialized(mask.shape)
        pendingMask.clear()
        guard let dy = gradOutput.baseAddress, let m = mask.baseAddress, let dx = gradInput.baseAddress else {
            return gradInput
        }
        for i in 0..<mask.count { dx[i] = dy[i] * m[i] }
        return gradInput
    }

    public static var kinds: [String] { ["Dropout"] }

    public var layerDescription: LayerDescription {
        LayerDescription(kind: "Dropout", arguments: ["p": .float(p)])
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        try self.init(p: try description.float("p", default: 0.5))
    }
}
