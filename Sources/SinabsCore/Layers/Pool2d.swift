import CSinabsKernels

/// What AvgPool2d, SumPool2d and MaxPool2d share: the window geometry and
/// the plan of one call over (N, C, H, W) or (C, H, W) inputs.
struct Pool2dPlan {
    let shape: snk_pool_shape
    let outputShape: [Int]

    init(_ geometry: WindowGeometry, inputShape: [Int], _ layer: String) throws {
        let image = try ImageLayout(inputShape, layer)
        let size = try geometry.outputSize(height: image.height, width: image.width, layer)
        outputShape = image.shape(channels: image.channels, size: size)
        _ = try Shape.elementCount(outputShape)
        // Max pooling records window maxima as 32-bit plane indices.
        guard image.height * image.width <= Int(Int32.max) else {
            throw SinabsError.shape("\(layer): input planes beyond 2^31 elements are not supported")
        }
        shape = geometry.poolShape(planes: image.batch * image.channels, height: image.height,
                                   width: image.width, output: size)
    }

    var inputShapeCount: Int { Int(shape.planes * shape.height * shape.width) }
}

extension WindowGeometry {
    /// A pool's geometry from torch's arguments (stride defaults to the kernel).
    static func pool(_ layer: String, kernel: Pair2d, stride: Pair2d?, padding: Pair2d, dilation: Pair2d,
                     ceilMode: Bool) throws -> WindowGeometry {
        let geometry = WindowGeometry(kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                                      ceilMode: ceilMode)
        try geometry.validate(layer)
        try geometry.validatePoolPadding(layer)
        return geometry
    }

    var poolArguments: [String: LayerArgument] {
        ["kernel_size": LayerArgument(kernel), "stride": LayerArgument(stride), "ceil_mode": .bool(ceilMode)]
    }
}
