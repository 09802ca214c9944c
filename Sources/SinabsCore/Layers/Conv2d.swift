import CSinabsKernels

/// 2-D convolution over (N, C, H, W) or (C, H, W) inputs with
/// torch.nn.Conv2d's semantics (stride, zero padding, dilation, groups,
/// bias). Two kernels compute the same result: dense (per sample on
/// libsinabs' threads, im2col + an OpenBLAS GEMM per group) and event-driven
/// (each non-zero input scatters its weights), picked per call from the
/// input's density.
public final class Conv2d: WeightAndBias {
    /// Channels of the input (N, C, H, W).
    public let inChannels: Int
    /// Channels of the output.
    public let outChannels: Int
    /// Channel groups: each output channel sees `inChannels / groups` inputs.
    public let groups: Int
    /// Kernel, stride, padding and dilation with torch's output-size rule.
    public let geometry: WindowGeometry
    /// (outChannels, inChannels / groups, kernel height, kernel width).
    public internal(set) var weight: Tensor
    /// (outChannels), or nil without bias.
    public internal(set) var bias: Tensor?
    public var training = false
    /// Which kernel forward uses; `.automatic` picks by density.
    public var kernelChoice = ConvKernelChoice.automatic
    /// The kernel the last forward used (for tests and benchmarks).
    public internal(set) var lastKernel = ConvKernelChoice.automatic

    var pendingInput = PendingBackward<Tensor>()
    let gradientMemory = GradientMemory()
    let gradients = GradientAccumulators()
    let workspace = ConvWorkspace()

    /// torch's init: weight and bias uniform in +-1/sqrt(fan_in),
    /// fan_in = inChannels / groups x kernel area, from the process-wide
    /// generator (``manualSeed(_:)``) or from `seed` alone.
    public init(inChannels: Int, outChannels: Int, kernelSize: Pair2d, stride: Pair2d = Pair2d(1),
                padding: Pair2d = Pair2d(0), dilation: Pair2d = Pair2d(1), groups: Int = 1,
                bias: Bool = true, seed: UInt64? = nil) throws {
        let geometry = WindowGeometry(kernel: kernelSize, stride: stride, padding: padding, dilation: dilation)
        try geometry.validate("Conv2d")
        let limit = WindowGeometry.limit
        guard (1...limit).contains(inChannels), (1...limit).contains(outChannels), (1...limit).contains(groups) else {
            throw SinabsError.invalid("Conv2d: channels and groups must be in 1...\(limit), got \(inChannels) -> \(outChannels), groups \(groups)")
        }
        guard inChannels % groups == 0, outChannels % groups == 0 else {
            throw SinabsError.invalid("Conv2d: groups \(groups) must divide in_channels \(inChannels) and out_channels \(outChannels)")
        }
        let weightShape = [outChannels, inChannels / groups, kernelSize.height, kernelSize.width]
        // One group's weight is the A of a BLAS product: its sizes must fit 32 bits.
        let fanIn = try Shape.elementCount(Array(weightShape.dropFirst()))
        guard fanIn <= limit else { throw SinabsError.invalid("Conv2d: kernel of \(fanIn) weights per output is too large") }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.groups = groups
        self.geometry = geometry
        weight = try Tensor(zeros: weightShape)
        self.bias = bias ? try Tensor(zeros: [outChannels]) : nil
        ParameterInit.torchDefault(weight: weight, bias: self.bias, fanIn: fanIn, seed: seed)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try plan(for: inputShape).outputShape
    }

    /// The geometry of a call, checked: channels, window fit, BLAS sizes.
    func plan(for inputShape: [Int]) throws -> ConvPlan {
        let image = try ImageLayout(inputShape, "Conv2d")
        guard image.channels == inChannels else {
            throw SinabsError.shape("Conv2d expects \(inChannels) input channels, got \(image.channels) in \(inputShape)")
        }
        let size = try geometry.outputSize(height: image.height, width: image.width, "Conv2d")
        let outputShape = image.shape(channels: outChannels, size: size)
        _ = try Shape.elementCount(outputShape)
        let patchRows = weight.count / outChannels
        let (columns, overflow) = patchRows.multipliedReportingOverflow(by: size.height * size.width)
        guard !overflow, columns <= WindowGeometry.limit else {
            throw SinabsError.shape("Conv2d: one sample's patches (\(patchRows) x \(size.height * size.width)) exceed BLAS's 32-bit sizes")
        }
        let shape = snk_conv_shape(
            channels: Int64(inChannels), height: Int64(image.height), width: Int64(image.width),
            out_channels: Int64(outChannels), out_h: Int64(size.height), out_w: Int64(size.width),
            groups: Int64(groups), kernel_h: Int64(geometry.kernel.height), kernel_w: Int64(geometry.kernel.width),
            stride_h: Int64(geometry.stride.height), stride_w: Int64(geometry.stride.width),
            pad_h: Int64(geometry.padding.height), pad_w: Int64(geometry.padding.width),
            dilation_h: Int64(geometry.dilation.height), dilation_w: Int64(geometry.dilation.width))
        return ConvPlan(samples: image.batch, shape: shape, outputShape: outputShape)
    }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        let plan = try plan(for: input.shape)
        guard output.count == plan.outputCount else {
            throw SinabsError.shape("output has \(output.count) elements, expected \(plan.outputShape)")
        }
        try Tensor.checkDisjoint(output, from: [("the input", input), ("weight", weight), ("bias", bias)])
        let kernel = try chooseKernel(input)
        if plan.samples > 0, output.count > 0, let x = input.baseAddress, let y = output.baseAddress,
           let w = weight.baseAddress {
            if kernel == .sparse {
                try forwardSparse(plan, x, w, y)
            } else {
                try forwardDense(plan, x, w, y)
            }
        }
        pendingInput.record(input, training: training)
        lastKernel = kernel
    }
}

/// Conv2d's kernels: dense im2col + GEMM, or event-driven scatter.
public enum ConvKernelChoice: Sendable {
    /// `automatic` picks per call from the input's density; `dense` and `sparse` force one kernel.
    case automatic, dense, sparse
}

/// One call's checked geometry.
struct ConvPlan {
    let samples: Int
    var shape: snk_conv_shape
    let outputShape: [Int]

    var inputPerSample: Int { Int(shape.channels * shape.height * shape.width) }
    var plane: Int { Int(shape.out_h * shape.out_w) }
    var outputCount: Int { samples * Int(shape.out_channels) * plane }
    var groupOutputs: Int { Int(shape.out_channels / shape.groups) }
    /// Rows of one group's patch matrix: (channels / groups) x kernel area.
    var patchRows: Int { Int(shape.channels / shape.groups * shape.kernel_h * shape.kernel_w) }
}
