import CSinabsKernels

/// Max pooling with torch.nn.MaxPool2d's semantics (padding reads -inf,
/// dilation, ceil_mode; NaN wins). Backward sends each output's gradient to
/// the input that won its window, recorded by the training forward.
public final class MaxPool2d: ParameterlessLayer, DescribableLayer {
    /// Kernel, stride, padding and dilation with torch's output-size rule.
    public let geometry: WindowGeometry
    public var training = false
    /// The input shape and each window's winner of the last training forward.
    var pending = PendingBackward<(shape: [Int], argmax: [Int32])>()
    let gradientMemory = GradientMemory()

    /// torch.nn.MaxPool2d(kernel_size, stride=kernel_size, padding, dilation, ceil_mode).
    ///
    /// - Throws: `.invalidArgument` for non-positive sizes or padding over half the kernel.
    public init(kernelSize: Pair2d, stride: Pair2d? = nil, padding: Pair2d = Pair2d(0),
                dilation: Pair2d = Pair2d(1), ceilMode: Bool = false) throws {
        geometry = try .pool("MaxPool2d", kernel: kernelSize, stride: stride, padding: padding, dilation: dilation,
                             ceilMode: ceilMode)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try Pool2dPlan(geometry, inputShape: inputShape, "MaxPool2d").outputShape
    }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        let plan = try Pool2dPlan(geometry, inputShape: input.shape, "MaxPool2d")
        try checkOutput(output, of: input, shape: plan.outputShape)
        var argmax = training ? [Int32](repeating: -1, count: output.count) : []
        if output.count > 0, let x = input.baseAddress, let y = output.baseAddress {
            withUnsafePointer(to: plan.shape) { shape in
                // Inference records no winners: NULL, never the empty array's
                // (shared, non-nil) storage, which the kernel would overwrite.
                argmax.withUnsafeMutableBufferPointer { snk_max_pool_forward(shape, x, y, training ? $0.baseAddress : nil) }
            }
        }
        pending.record((input.shape, argmax), training: training)
    }

    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let (inputShape, argmax) = try pending.get()
        let plan = try Pool2dPlan(geometry, inputShape: inputShape, "MaxPool2d")
        try checkGradient(gradOutput, expected: plan.outputShape)
        let gradInput = try gradientMemory.zeros(inputShape)
        pending.clear()
        guard gradOutput.count > 0, let dy = gradOutput.baseAddress, let dx = gradInput.baseAddress else { return gradInput }
        withUnsafePointer(to: plan.shape) { shape in
            argmax.withUnsafeBufferPointer { snk_max_pool_backward(shape, $0.baseAddress, dy, dx) }
        }
        return gradInput
    }

    public static var kinds: [String] { ["MaxPool2d"] }

    public var layerDescription: LayerDescription {
        var arguments = geometry.poolArguments
        arguments["padding"] = LayerArgument(geometry.padding)
        arguments["dilation"] = LayerArgument(geometry.dilation)
        return LayerDescription(kind: "MaxPool2d", arguments: arguments)
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        if try description.bool("return_indices", default: false) {
            throw SinabsError.invalid("MaxPool2d: return_indices is not supported")
        }
        try self.init(kernelSize: try description.pair("kernel_size"), stride: try description.optionalPair("stride"),
                      padding: try description.pair("padding", default: Pair2d(0)),
                      dilation: try description.pair("dilation", default: Pair2d(1)),
                      ceilMode: try description.bool("ceil_mode", default: false))
    }
}
