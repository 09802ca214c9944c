/// y = x W^T + b over the last dimension (torch.nn.Linear), on OpenBLAS.
public final class Linear: Layer {
    public let inFeatures: Int
    public let outFeatures: Int
    /// (outFeatures, inFeatures).
    public let weight: Tensor
    /// (outFeatures), or nil without bias.
    public let bias: Tensor?
    public var training = false
    /// The input of the last training forward and the parameter gradients.
    let autograd = LinearAutograd()

    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true) throws {
        // BLAS takes 32-bit sizes.
        guard (1...Int(Int32.max)).contains(inFeatures), (1...Int(Int32.max)).contains(outFeatures) else {
            throw SinabsError.invalid("features must be in 1...\(Int32.max), got \(inFeatures) -> \(outFeatures)")
        }
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = try Tensor(zeros: [outFeatures, inFeatures])
        self.bias = bias ? try Tensor(zeros: [outFeatures]) : nil
    }

    public var parameterNames: [String] { bias == nil ? ["weight"] : ["weight", "bias"] }

    public func parameter(named name: String) throws -> Tensor {
        switch name {
        case "weight": return weight
        case "bias" where bias != nil: return bias!
        default: throw Self.missing("parameter", name)
        }
    }

    public func setParameter(named name: String, to value: Tensor) throws {
        let target = try parameter(named: name)
        guard value.shape == target.shape else {
            throw SinabsError.shape("\(name) has shape \(target.shape), got \(value.shape)")
        }
        try target.copyElements(from: value)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard let last = inputShape.last, last == inFeatures else {
            throw SinabsError.shape("Linear expects (..., \(inFeatures)), got \(inputShape)")
        }
        let rows = try Shape.elementCount(Array(inputShape.dropLast()))
        guard rows <= Int(Int32.max) else { throw SinabsError.shape("too many rows for BLAS: \(rows)") }
        return Array(inputShape.dropLast()) + [outFeatures]
    }

    public func forward(_ input: Tensor, into output: Tensor) throws {
        let shape = try outputShape(for: input.shape)
        let rows = input.count / inFeatures
        guard output.count == rows * outFeatures else {
            throw SinabsError.shape("output has \(output.count) elements, expected \(shape)")
        }
        try Tensor.checkDisjoint(output, from: [("the input", input), ("weight", weight), ("bias", bias),
                                                ("the input kept for backward", autograd.input)])
        if training { autograd.input = input }  // a forward with training off keeps the tape
        guard rows > 0, let x = input.baseAddress, let y = output.baseAddress, let w = weight.baseAddress else { return }
        var beta: Float = 0
        if let b = bias?.baseAddress {
            for r in 0..<rows { (y + r * outFeatures).update(from: b, count: outFeatures) }
            beta = 1
        }
        Gemm.multiplyTransposedB(m: rows, n: outFeatures, k: inFeatures, a: x, b: w, c: y, beta: beta)
    }
}
