/// sinabs.layers.Repeat: runs `module` on (Batch*Time, ...) and gives its
/// output back as (Batch, Time, ...), so a per-frame layer (Conv2d, pools)
/// fits a (Batch, Time, ...) model. Parameters, states and gradients are the
/// module's, named "module.<name>" as in sinabs.
public final class Repeat: Layer {
    /// The layer applied to each time step's frame.
    public let module: Layer
    private var pendingLeading = PendingBackward<(batch: Int, time: Int)>()

    /// sinabs.layers.Repeat(module): runs `module` on (Batch*Time, ...) and restores (Batch, Time, ...).
    public init(_ module: Layer) { self.module = module }

    public var training: Bool {
        get { module.training }
        set { module.training = newValue }
    }

    private func flattened(_ shape: [Int]) throws -> [Int] {
        guard shape.count >= 2 else { throw SinabsError.shape("Repeat expects (Batch, Time, ...), got \(shape)") }
        return [try Shape.elementCount(Array(shape[..<2]))] + Array(shape.dropFirst(2))
    }

    /// The module's output (Batch*Time, ...) as (Batch, Time, ...).
    private func unflattened(_ shape: [Int], batch: Int, time: Int) throws -> [Int] {
        guard let first = shape.first, first == batch * time, shape.count < Shape.maxRank else {
            throw SinabsError.shape("Repeat: the module's output \(shape) does not start with Batch*Time = \(batch * time)")
        }
        return [batch, time] + Array(shape.dropFirst())
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let inner = try module.outputShape(for: try flattened(inputShape))
        return try unflattened(inner, batch: inputShape[0], time: inputShape[1])
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        let output = try module.forward(try input.reshaped(try flattened(input.shape)))
        let shape = try unflattened(output.shape, batch: input.shape[0], time: input.shape[1])
        pendingLeading.record((input.shape[0], input.shape[1]), training: training)
        return try output.reshaped(shape)
    }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        let flat = try input.reshaped(try flattened(input.shape))
        let inner = try module.outputShape(for: flat.shape)
        _ = try unflattened(inner, batch: input.shape[0], time: input.shape[1])
        guard output.count == (try Shape.elementCount(inner)) else {
            throw SinabsError.shape("output has \(output.count) elements, expected \(try outputShape(for: input.shape))")
        }
        try module.forward(flat, into: try output.reshaped(inner))
        pendingLeading.record((input.shape[0], input.shape[1]), training: training)
    }

    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        let (batch, time) = try pendingLeading.get()
        guard gradOutput.shape.count >= 2, gradOutput.shape[0] == batch, gradOutput.shape[1] == time else {
            throw SinabsError.shape("grad_output must be (\(batch), \(time), ...) like the forward's output, got \(gradOutput.shape)")
        }
        let gradInput = try module.backward(try gradOutput.reshaped(try flattened(gradOutput.shape)))
        pendingLeading.clear()
        return try gradInput.reshaped(try unflattened(gradInput.shape, batch: batch, time: time))
    }

    // The module's names under "module.".
    private static let prefix = "module."

    private func inner(_ name: String) throws -> String {
        guard name.hasPrefix(Self.prefix) else { throw Self.missing("member", name) }
        return String(name.dropFirst(Self.prefix.count))
    }

    public var parameterNames: [String] { module.parameterNames.map { Self.prefix + $0 } }
    public func parameter(named name: String) throws -> Tensor { try module.parameter(named: try inner(name)) }
    public func setParameter(named name: String, to value: Tensor) throws {
        try module.setParameter(named: try inner(name), to: value)
    }
    public var stateNames: [String] { module.stateNames.map { Self.prefix + $0 } }
    public func state(named name: String) throws -> Tensor { try module.state(named: try inner(name)) }
    public func setState(named name: String, to value: Tensor) throws {
        try module.setState(named: try inner(name), to: value)
    }
    public func resetStates(randomize: Bool, ranges: [String: ClosedRange<Float>], seed: UInt64) {
        let innerRanges = Dictionary(uniqueKeysWithValues: ranges.compactMap { key, range in
            key.hasPrefix(Self.prefix) ? (String(key.dropFirst(Self.prefix.count)), range) : nil
        })
        module.resetStates(randomize: randomize, ranges: innerRanges, seed: seed)
    }
    public func gradient(named name: String) throws -> Tensor { try module.gradient(named: try inner(name)) }
    public func zeroGrad() { module.zeroGrad() }
}
