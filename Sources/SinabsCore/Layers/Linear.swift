/// y = x W^T + b over the last dimension (torch.nn.Linear), on OpenBLAS.
public final class Linear: WeightAndBias {
    /// The size of the input's last dimension.
    public let inFeatures: Int
    /// The size of the output's last dimension.
    public let outFeatures: Int
    /// (outFeatures, inFeatures).
    public internal(set) var weight: Tensor
    /// (outFeatures), or nil without bias.
    public internal(set) var bias: Tensor?
    public var training = false
    /// The input of the last training forward and the parameter gradients.
    let autograd = LinearAutograd()
    /// Forward kernel: `.automatic` scatters sparse inputs (Linear+Sparse).
    public var kernelChoice = ConvKernelChoice.automatic
    let workspace = ConvWorkspace()

    /// A layer whose weight and bias start as torch.nn.Linear's: uniform in
    /// `[-1/sqrt(inFeatures), 1/sqrt(inFeatures))`, drawn by ``ParameterInit/torchDefault(weight:bias:fanIn:seed:)``
    /// from the generator ``manualSeed(_:)`` seeds.
    ///
    /// - Throws: ``SinabsError/Code/invalidArgument`` when a size is outside `1...Int32.max` (BLAS's sizes).
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true) throws {
        // BLAS takes 32-bit sizes.
        guard (1...Int(Int32.max)).contains(inFeatures), (1...Int(Int32.max)).contains(outFeatures) else {
            throw SinabsError.invalid("features must be in 1...\(Int32.max), got \(inFeatures) -> \(outFeatures)")
        }
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = try Tensor(zeros: [outFeatures, inFeatures])
        self.bias = bias ? try Tensor(zeros: [outFeatures]) : nil
        ParameterInit.torchDefault(weight: weight, bias: self.bias, fanIn: inFeatures)
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
        guard rows > 0, let x = input.baseAddress, let y = output.baseAddress, let w = weight.baseAddress else {
            if training { autograd.input = input }  // a forward with training off keeps the tape
            return
        }
        let scattered = try forwardSparseIfSparse(input, rows: rows, y)
        if training { autograd.input = input }
        if scattered { return }
        var beta: Float = 0
        if let b = bias?.baseAddress {
            for r in 0..<rows { (y + r * outFeatures).update(from: b, count: outFeatures) }
            beta = 1
        }
        Gemm.multiplyTransposedB(m: rows, n: outFeatures, k: inFeatures, a: x, b: w, c: y, beta: beta,
                                 splitRows: true)
    }
}
