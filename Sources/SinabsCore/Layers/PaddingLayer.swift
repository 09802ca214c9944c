import CSinabsKernels

/// How a padding layer maps its input: `outer` blocks of (rows, cols) grow
/// by (top, bottom, left, right) zeros; negative amounts crop.
struct PadPlan {
    var outer = 1, rows = 1, cols = 1, top = 0, bottom = 0, left = 0, right = 0
    var outputShape: [Int] = []

    /// Runs snk_pad2d from `input` (outer, rows, cols) into `output`.
    func apply(_ input: Tensor, into output: Tensor) {
        guard output.count > 0, let y = output.baseAddress else { return }
        snk_pad2d(input.baseAddress, Int64(outer), Int64(rows), Int64(cols), y,
                  Int64(top), Int64(bottom), Int64(left), Int64(right))
    }

    /// The adjoint: the crop (or pad) that takes the output back to the input.
    var inverse: PadPlan {
        PadPlan(outer: outer, rows: rows + top + bottom, cols: cols + left + right,
                top: -top, bottom: -bottom, left: -left, right: -right)
    }

    /// Refuses a crop that removes more than there is.
    func checked(_ layer: String, _ inputShape: [Int]) throws -> PadPlan {
        guard rows + top + bottom >= 0, cols + left + right >= 0 else {
            throw SinabsError.shape("\(layer) crops more than the input \(inputShape) has")
        }
        _ = try Shape.elementCount(outputShape)
        return self
    }
}

/// ZeroPad2d, Cropping2dLayer and ChannelShift: zero padding or cropping of
/// two adjacent dimension groups; backward crops (pads) the gradient back.
protocol PaddingLayer: ParameterlessLayer {
    func padPlan(_ inputShape: [Int]) throws -> PadPlan
    var pendingShape: PendingBackward<[Int]> { get set }
    var training: Bool { get set }
}

extension PaddingLayer {
    public func outputShape(for inputShape: [Int]) throws -> [Int] { try padPlan(inputShape).outputShape }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        let plan = try padPlan(input.shape)
        try checkOutput(output, of: input, shape: plan.outputShape)
        pendingShape.record(input.shape, training: training)
        plan.apply(input, into: output)
    }

    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let inputShape = try pendingShape.get()
        let plan = try padPlan(inputShape)
        try checkGradient(gradOutput, expected: plan.outputShape)
        let gradInput = try Tensor.uninitialized(inputShape)
        pendingShape.clear()
        plan.inverse.apply(gradOutput, into: gradInput)
        return gradInput
    }
}

extension PadPlan {
    /// Pad the last two dimensions of a rank >= 2 input.
    static func lastTwo(_ shape: [Int], top: Int, bottom: Int, left: Int, right: Int, _ layer: String) throws -> PadPlan {
        guard shape.count >= 2 else { throw SinabsError.shape("\(layer) expects an input of rank >= 2, got \(shape)") }
        let rows = shape[shape.count - 2], cols = shape[shape.count - 1]
        var plan = PadPlan(outer: try Shape.elementCount(Array(shape.dropLast(2))), rows: rows, cols: cols,
                           top: top, bottom: bottom, left: left, right: right)
        plan.outputShape = Array(shape.dropLast(2)) + [rows + top + bottom, cols + left + right]
        return try plan.checked(layer, shape)
    }
}
