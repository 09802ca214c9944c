/// What every layer of a model offers: a forward pass, named parameters and
/// named states as tensors (inspectable and settable, never hidden), and the
/// training hooks. Defaults cover layers without states or training.
public protocol Layer: AnyObject {
    /// The output for `input` in a new tensor.
    func forward(_ input: Tensor) throws -> Tensor
    /// The output for `input` written into `output` (same element count,
    /// separate memory), allocating nothing for it.
    func forward(_ input: Tensor, into output: Tensor) throws
    /// The shape of the output for an input of `inputShape`.
    func outputShape(for inputShape: [Int]) throws -> [Int]

    /// The names of the parameters, in sinabs' order (`named_parameters`).
    var parameterNames: [String] { get }
    /// The parameter tensor itself: writes to it change the layer.
    func parameter(named name: String) throws -> Tensor
    /// Copies `value` into the parameter, after validating it.
    func setParameter(named name: String, to value: Tensor) throws

    /// The names of the states (`v_mem`, `i_syn`, `b`, `spike_threshold`); empty for stateless layers.
    var stateNames: [String] { get }
    /// The state tensor itself (shape [0] before the first forward).
    func state(named name: String) throws -> Tensor
    /// Copies `value` into the state; before the first forward its shape creates all states.
    func setState(named name: String, to value: Tensor) throws
    /// Zero, or uniform in [low, high) per state (default [0, 1)) with `randomize`.
    func resetStates(randomize: Bool, ranges: [String: ClosedRange<Float>], seed: UInt64)

    /// When true, forward keeps what backward needs.
    var training: Bool { get set }
    /// Gradient w.r.t. the input of the last training forward; accumulates
    /// parameter gradients.
    func backward(_ gradOutput: Tensor) throws -> Tensor
    /// A copy of the accumulated gradient of a trainable parameter.
    func gradient(named name: String) throws -> Tensor
    /// Sets every gradient accumulator to zero.
    func zeroGrad()
}

public extension Layer {
    func forward(_ input: Tensor) throws -> Tensor {
        let output = try Tensor.uninitialized(try outputShape(for: input.shape))
        try forward(input, into: output)
        return output
    }

    var stateNames: [String] { [] }
    func state(named name: String) throws -> Tensor { throw Self.missing("state", name) }
    func setState(named name: String, to value: Tensor) throws { throw Self.missing("state", name) }
    func resetStates(randomize: Bool = false, ranges: [String: ClosedRange<Float>] = [:], seed: UInt64 = 0) {}

    var training: Bool {
        get { false }
        set {}
    }
    func backward(_ gradOutput: Tensor) throws -> Tensor {
        throw SinabsError(.state, "\(Self.self) has no backward pass")
    }
    func gradient(named name: String) throws -> Tensor { throw Self.missing("trainable parameter", name) }
    func zeroGrad() {}

    internal static func missing(_ what: String, _ name: String) -> SinabsError {
        SinabsError(.notFound, "\(Self.self) has no \(what) named '\(name)'")
    }
}
