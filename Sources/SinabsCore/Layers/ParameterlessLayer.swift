/// A layer without parameters (pools, reshapes, padding, ReLU, ...): the
/// parameter part of `Layer`, answered once.
protocol ParameterlessLayer: Layer {}

extension ParameterlessLayer {
    public var parameterNames: [String] { [] }
    public func parameter(named name: String) throws -> Tensor { throw Self.missing("parameter", name) }
    public func setParameter(named name: String, to value: Tensor) throws { throw Self.missing("parameter", name) }
}

/// Checks shared by every forward(_:into:): the output's size and that its
/// memory does not overlap the input's (by address, so two wraps of one
/// buffer count).
func checkOutput(_ output: Tensor, of input: Tensor, shape: [Int]) throws {
    let count = try Shape.elementCount(shape)
    guard output.count == count else {
        throw SinabsError.shape("output has \(output.count) elements, expected \(shape)")
    }
    try Tensor.checkDisjoint(output, from: [("the input", input)])
}

/// Checks that `gradOutput` has the shape the last training forward produced.
func checkGradient(_ gradOutput: Tensor, expected: [Int]) throws {
    guard gradOutput.shape == expected else {
        throw SinabsError.shape("grad_output must have the forward's output shape \(expected), got \(gradOutput.shape)")
    }
}
