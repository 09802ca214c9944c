/// sinabs.layers.UnflattenTime: (Batch*Time, ...) -> (Batch, Time, ...) for
/// a fixed batch size, a view.
public final class UnflattenTime: ReshapingLayer, DescribableLayer {
    /// The batch size that splits the first dimension.
    public let batchSize: Int
    public var training = false
    var pendingShape = PendingBackward<[Int]>()

    /// sinabs.layers.UnflattenTime(batch_size): (Batch*Time, ...) -> (Batch, Time, ...).
    ///
    /// - Throws: `.invalidArgument` for a batch size < 1.
    public init(batchSize: Int) throws {
        guard batchSize >= 1 else { throw SinabsError.invalid("UnflattenTime: batch_size must be >= 1, got \(batchSize)") }
        self.batchSize = batchSize
    }

    func reshaped(_ shape: [Int]) throws -> [Int] {
        guard let first = shape.first, shape.count < Shape.maxRank, first % batchSize == 0 else {
            throw SinabsError.shape("UnflattenTime(batch_size=\(batchSize)) expects (Batch*Time, ...) with a first dimension divisible by \(batchSize), got \(shape)")
        }
        return [batchSize, first / batchSize] + Array(shape.dropFirst())
    }

    public static var kinds: [String] { ["UnflattenTime"] }

    public var layerDescription: LayerDescription {
        LayerDescription(kind: "UnflattenTime", arguments: ["batch_size": .int(batchSize)])
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        try self.init(batchSize: try description.int("batch_size"))
    }
}
