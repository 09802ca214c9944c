/// sinabs.layers.Merge: the sum of two inputs of the same rank, each
/// zero-padded at the end of every dimension to the larger size.
///
/// A layer of two inputs: `forward(_:_:)` and `backward(pair:)`. The
/// one-input `Layer.forward` refuses (a model that merges branches calls the
/// pair form with the outputs of its two branches and sends the two
/// gradients of `backward(pair:)` back down each branch).
public final class Merge: ParameterlessLayer, DescribableLayer {
    public var training = false
    var pendingShapes = PendingBackward<(a: [Int], b: [Int])>()

    /// sinabs.layers.Merge: the sum of two inputs, the smaller zero-padded to the larger.
    public init() {}

    public func outputShape(for inputShape: [Int]) throws -> [Int] { throw Self.needsTwoInputs() }
    public func forward(_ input: Tensor, into output: Tensor) throws { throw Self.needsTwoInputs() }

    static func needsTwoInputs() -> SinabsError {
        SinabsError.invalid("Merge takes two inputs: use its two-input forward (sinabs_layer_forward_pair)")
    }

    /// The output shape for two inputs: the larger size in every dimension.
    public func outputShape(for a: [Int], _ b: [Int]) throws -> [Int] {
        guard a.count == b.count else {
            throw SinabsError.shape("Merge needs inputs of the same rank, got \(a) and \(b)")
        }
        return zip(a, b).map { max($0, $1) }
    }

    /// The sum of `a` and `b`, each zero-padded at the end of its last two dimensions to the larger shape.
    public func forward(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let output = try Tensor(zeros: try outputShape(for: a.shape, b.shape))
        try forward(a, b, into: output)
        return output
    }

    /// Writes the merged inputs into `output` (any shape of the right element
    /// count, memory apart from both inputs).
    public func forward(_ a: Tensor, _ b: Tensor, into output: Tensor) throws {
        let shape = try outputShape(for: a.shape, b.shape)
        try checkOutput(output, of: a, shape: shape)
        try checkOutput(output, of: b, shape: shape)
        pendingShapes.record((a.shape, b.shape), training: training)
        output.fill(0)
        BlockCopy.add(a, into: output, shape: shape)
        BlockCopy.add(b, into: output, shape: shape)
    }

    /// The gradients w.r.t. both inputs of the last training forward: the
    /// output gradient cropped to each input's shape.
    public func backward(pair gradOutput: Tensor) throws -> (Tensor, Tensor) {
        let (a, b) = try pendingShapes.get()
        try checkGradient(gradOutput, expected: try outputShape(for: a, b))
        let gradA = try Tensor(zeros: a), gradB = try Tensor(zeros: b)
        pendingShapes.clear()
        BlockCopy.crop(gradOutput, into: gradA)
        BlockCopy.crop(gradOutput, into: gradB)
        return (gradA, gradB)
    }

    public static var kinds: [String] { ["Merge"] }
    public var layerDescription: LayerDescription { LayerDescription(kind: "Merge") }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        self.init()
    }
}

/// Copies between a tensor and the leading corner of a larger one of the
/// same rank, row (last dimension) by row.
enum BlockCopy {
    /// Adds `small` into the corner of `large` (whose shape is `largeShape`).
    static func add(_ small: Tensor, into large: Tensor, shape largeShape: [Int]) {
        forEachRow(small.shape, largeShape) { smallOffset, largeOffset, length in
            guard let s = small.baseAddress, let l = large.baseAddress else { return }
            for i in 0..<length { l[largeOffset + i] += s[smallOffset + i] }
        }
    }

    /// Copies the corner of `large` that `small` covers into `small`.
    static func crop(_ large: Tensor, into small: Tensor) {
        forEachRow(small.shape, large.shape) { smallOffset, largeOffset, length in
            guard let s = small.baseAddress, let l = large.baseAddress else { return }
            (s + smallOffset).update(from: l + largeOffset, count: length)
        }
    }

    /// Calls body(offset in small, offset in large, row length) for every
    /// last-dimension row of `small`.
    private static func forEachRow(_ small: [Int], _ large: [Int], _ body: (Int, Int, Int) -> Void) {
        guard let length = small.last, small.allSatisfy({ $0 > 0 }) else {
            if small.isEmpty { body(0, 0, 1) }  // rank 0: one element
            return
        }
        let rows = small.dropLast().reduce(1, *)
        var index = [Int](repeating: 0, count: small.count - 1)
        for row in 0..<rows {
            var offset = 0
            for axis in index.indices { offset = offset * large[axis] + index[axis] }
            body(row * length, offset * large[large.count - 1], length)
            var axis = index.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < small[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
