/// torch.nn.ReLU: max(0, x) (NaN stays NaN); backward passes the gradient
/// where the input was > 0.
public final class ReLU: ParameterlessLayer, DescribableLayer {
    public var training = false
    var pendingInput = PendingBackward<Tensor>()

    /// torch.nn.ReLU: max(x, 0).
    public init() {}

    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        try checkOutput(output, of: input, shape: input.shape)
        pendingInput.record(input, training: training)
        guard let x = input.baseAddress, let y = output.baseAddress else { return }
        for i in 0..<input.count { y[i] = x[i] < 0 ? 0 : x[i] }
    }

    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let input = try pendingInput.get()
        try checkGradient(gradOutput, expected: input.shape)
        let gradInput = try Tensor.uninitialized(input.shape)
        pendingInput.clear()
        guard let x = input.baseAddress, let dy = gradOutput.baseAddress, let dx = gradInput.baseAddress else {
            return gradInput
        }
        for i in 0..<input.count { dx[i] = x[i] > 0 ? dy[i] : 0 }
        return gradInput
    }

    public static var kinds: [String] { ["ReLU"] }
    public var layerDescription: LayerDescription { LayerDescription(kind: "ReLU") }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        self.init()
    }
}
