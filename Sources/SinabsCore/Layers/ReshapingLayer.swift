/// A layer that only changes the shape (Flatten, FlattenTime,
/// UnflattenTime): forward returns a view of the input (as torch does),
/// backward a view of the gradient with the input's shape.
protocol ReshapingLayer: ParameterlessLayer {
    /// The output shape for `inputShape`, or a `.shape` error.
    func reshaped(_ inputShape: [Int]) throws -> [Int]
    var pendingShape: PendingBackward<[Int]> { get set }
    var training: Bool { get set }
}

extension ReshapingLayer {
    public func outputShape(for inputShape: [Int]) throws -> [Int] { try reshaped(inputShape) }

    public func forward(_ input: Tensor) throws -> Tensor {
        let view = try input.reshaped(try reshaped(input.shape))
        pendingShape.record(input.shape, training: training)
        return view
    }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        try checkOutput(output, of: input, shape: try reshaped(input.shape))
        try output.copyElements(from: input)
        pendingShape.record(input.shape, training: training)
    }

    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let inputShape = try pendingShape.get()
        try checkGradient(gradOutput, expected: try reshaped(inputShape))
        pendingShape.clear()
        return try gradOutput.reshaped(inputShape)
    }
}
