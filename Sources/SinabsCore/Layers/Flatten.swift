/// torch.nn.Flatten: dimensions start_dim...end_dim (negative counts from
/// the end) merged into one; a view of the input.
public final class Flatten: ReshapingLayer, DescribableLayer {
    /// First dimension merged (negative: from the end).
    public let startDim: Int
    /// Last dimension merged (negative: from the end).
    public let endDim: Int
    public var training = false
    var pendingShape = PendingBackward<[Int]>()

    /// torch.nn.Flatten(start_dim=1, end_dim=-1): a view, nothing is copied.
    public init(startDim: Int = 1, endDim: Int = -1) throws {
        let limit = Shape.maxRank
        guard (-limit..<limit).contains(startDim), (-limit..<limit).contains(endDim) else {
            throw SinabsError.invalid("Flatten: start_dim and end_dim must be in -\(limit)..<\(limit), got \(startDim), \(endDim)")
        }
        self.startDim = startDim
        self.endDim = endDim
    }

    func reshaped(_ shape: [Int]) throws -> [Int] {
        let rank = max(shape.count, 1)  // torch flattens a scalar to (1)
        let dims = shape.isEmpty ? [1] : shape
        let start = startDim < 0 ? startDim + rank : startDim
        let end = endDim < 0 ? endDim + rank : endDim
        guard (0..<rank).contains(start), (0..<rank).contains(end) else {
            throw SinabsError.shape("Flatten(start_dim=\(startDim), end_dim=\(endDim)) does not fit an input of rank \(shape.count)")
        }
        guard start <= end else {
            throw SinabsError.shape("Flatten: start_dim \(startDim) comes after end_dim \(endDim) for rank \(shape.count)")
        }
        let merged = try Shape.elementCount(Array(dims[start...end]))
        return Array(dims[..<start]) + [merged] + Array(dims[(end + 1)...])
    }

    public static var kinds: [String] { ["Flatten"] }

    public var layerDescription: LayerDescription {
        LayerDescription(kind: "Flatten", arguments: ["start_dim": .int(startDim), "end_dim": .int(endDim)])
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        try self.init(startDim: try description.int("start_dim", default: 1),
                      endDim: try description.int("end_dim", default: -1))
    }
}
