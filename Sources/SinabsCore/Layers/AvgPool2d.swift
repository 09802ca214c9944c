import CSinabsKernels

/// Average pooling with torch.nn.AvgPool2d's semantics (padding,
/// ceil_mode, count_include_pad, divisor_override).
public final class AvgPool2d: ParameterlessLayer, DescribableLayer {
    /// Kernel, stride and padding (dilation 1) with torch's output-size rule.
    public let geometry: WindowGeometry
    /// Count the zero padding in each window's divisor (torch's count_include_pad).
    public let countIncludePad: Bool
    /// Divides every window by this instead of its size; nil: torch's rule.
    public let divisorOverride: Int?
    public var training = false
    var pendingInput = PendingBackward<Tensor>()
    let gradientMemory = GradientMemory()

    /// torch.nn.AvgPool2d(kernel_size, stride=kernel_size, padding, ceil_mode, count_include_pad, divisor_override).
    ///
    /// - Throws: `.invalidArgument` for non-positive sizes, padding over half the kernel or a divisor <= 0.
    public init(kernelSize: Pair2d, stride: Pair2d? = nil, padding: Pair2d = Pair2d(0), ceilMode: Bool = false,
                countIncludePad: Bool = true, divisorOverride: Int? = nil) throws {
        geometry = try .pool("AvgPool2d", kernel: kernelSize, stride: stride, padding: padding, dilation: Pair2d(1),
                             ceilMode: ceilMode)
        if let divisorOverride, !(1...WindowGeometry.limit).contains(divisorOverride) {
            throw SinabsError.invalid("AvgPool2d: divisor_override must be in 1...\(WindowGeometry.limit), got \(divisorOverride)")
        }
        self.countIncludePad = countIncludePad
        self.divisorOverride = divisorOverride
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try Pool2dPlan(geometry, inputShape: inputShape, "AvgPool2d").outputShape
    }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        let plan = try Pool2dPlan(geometry, inputShape: input.shape, "AvgPool2d")
        try checkOutput(output, of: input, shape: plan.outputShape)
        pendingInput.record(input, training: training)
        guard output.count > 0, let x = input.baseAddress, let y = output.baseAddress else { return }
        withUnsafePointer(to: plan.shape) {
            snk_avg_pool_forward($0, x, y, countIncludePad ? 1 : 0, Int64(divisorOverride ?? 0), 1)
        }
    }

    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let input = try pendingInput.get()
        let plan = try Pool2dPlan(geometry, inputShape: input.shape, "AvgPool2d")
        try checkGradient(gradOutput, expected: plan.outputShape)
        let gradInput = try gradientMemory.zeros(input.shape)
        pendingInput.clear()
        guard gradOutput.count > 0, let x = input.baseAddress, let dy = gradOutput.baseAddress,
              let dx = gradInput.baseAddress else { return gradInput }
        withUnsafePointer(to: plan.shape) {
            snk_avg_pool_backward($0, x, dy, dx, countIncludePad ? 1 : 0, Int64(divisorOverride ?? 0), 1, 0)
        }
        return gradInput
    }

    public static var kinds: [String] { ["AvgPool2d"] }

    public var layerDescription: LayerDescription {
        var arguments = geometry.poolArguments
        arguments["padding"] = LayerArgument(geometry.padding)
        arguments["count_include_pad"] = .bool(countIncludePad)
        arguments["divisor_override"] = divisorOverride.map { .int($0) } ?? LayerArgument.none
        return LayerDescription(kind: "AvgPool2d", arguments: arguments)
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        let divisor = description.arguments["divisor_override"].flatMap { $0 == .none ? nil : $0 }
        try self.init(kernelSize: try description.pair("kernel_size"), stride: try description.optionalPair("stride"),
                      padding: try description.pair("padding", default: Pair2d(0)),
                      ceilMode: try description.bool("ceil_mode", default: false),
                      countIncludePad: try description.bool("count_include_pad", default: true),
                      divisorOverride: divisor == nil ? nil : try description.int("divisor_override"))
    }
}
