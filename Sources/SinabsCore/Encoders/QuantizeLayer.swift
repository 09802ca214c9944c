import CSinabsKernels

/// sinabs.layers.QuantizeLayer: floor(x) forward (the identity with
/// `quantize` false); backward passes the gradient straight through.
public final class QuantizeLayer: ParameterlessLayer, DescribableLayer {
    public let quantize: Bool
    public var training = false
    var pendingShape = PendingBackward<[Int]>()

    public init(quantize: Bool = true) {
        self.quantize = quantize
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        try checkOutput(output, of: input, shape: input.shape)
        pendingShape.record(input.shape, training: training)
        guard let x = input.baseAddress, let y = output.baseAddress else { return }
        if quantize {
            snk_floor(x, Int64(input.count), y)
        } else {
            y.update(from: x, count: input.count)
        }
    }

    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let shape = try pendingShape.get()
        try checkGradient(gradOutput, expected: shape)
        pendingShape.clear()
        return try gradOutput.copy()
    }

    public static var kinds: [String] { ["QuantizeLayer"] }

    public var layerDescription: LayerDescription {
        LayerDescription(kind: "QuantizeLayer", arguments: ["quantize": .bool(quantize)])
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        try description.checkArgumentNames(allowed: ["quantize"])
        self.init(quantize: try description.bool("quantize", default: true))
    }
}
