import CSinabsKernels

/// sinabs.layers.SumPool2d: torch's LPPool2d with p = 1, i.e. the window sum
/// computed as (average x kernel area), no padding. Like torch, windows
/// whose sum is exactly 0 pass no gradient (sign(out) * relu(abs(out))).
public final class SumPool2d: ParameterlessLayer, DescribableLayer {
    /// Kernel and stride (no padding, dilation 1), as sinabs' SumPool2d.
    public let geometry: WindowGeometry
    public var training = false
    var pendingInput = PendingBackward<Tensor>()
    let gradientMemory = GradientMemory()

    /// sinabs.layers.SumPool2d(kernel_size, stride=kernel_size, ceil_mode): each window's sum.
    ///
    /// - Throws: `.invalidArgument` for non-positive sizes.
    public init(kernelSize: Pair2d, stride: Pair2d? = nil, ceilMode: Bool = false) throws {
        geometry = try .pool("SumPool2d", kernel: kernelSize, stride: stride, padding: Pair2d(0), dilation: Pair2d(1),
                             ceilMode: ceilMode)
    }

    private var area: Float { Float(geometry.kernel.height * geometry.kernel.width) }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try Pool2dPlan(geometry, inputShape: inputShape, "SumPool2d").outputShape
    }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        let plan = try Pool2dPlan(geometry, inputShape: input.shape, "SumPool2d")
        try checkOutput(output, of: input, shape: plan.outputShape)
        pendingInput.record(input, training: training)
        guard output.count > 0, let x = input.baseAddress, let y = output.baseAddress else { return }
        withUnsafePointer(to: plan.shape) { snk_avg_pool_forward($0, x, y, 1, 0, area) }
    }

    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let input = try pendingInput.get()
        let plan = try Pool2dPlan(geometry, inputShape: input.shape, "SumPool2d")
        try checkGradient(gradOutput, expected: plan.outputShape)
        let gradInput = try gradientMemory.zeros(input.shape)
        pendingInput.clear()
        guard gradOutput.count > 0, let x = input.baseAddress, let dy = gradOutput.baseAddress,
              let dx = gradInput.baseAddress else { return gradInput }
        withUnsafePointer(to: plan.shape) { snk_avg_pool_backward($0, x, dy, dx, 1, 0, area, 1) }
        return gradInput
    }

    public static var kinds: [String] { ["SumPool2d"] }

    public var layerDescription: LayerDescription {
        LayerDescription(kind: "SumPool2d", arguments: geometry.poolArguments)
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        try self.init(kernelSize: try description.pair("kernel_size"), stride: try description.optionalPair("stride"),
                      ceilMode: try description.bool("ceil_mode", default: false))
    }
}
