/// sinabs.layers.FlattenTime: (Batch, Time, ...) -> (Batch*Time, ...), a view.
public final class FlattenTime: ReshapingLayer, DescribableLayer {
    public var training = false
    var pendingShape = PendingBackward<[Int]>()

    /// sinabs.layers.FlattenTime: (Batch, Time, ...) -> (Batch*Time, ...).
    public init() {}

    func reshaped(_ shape: [Int]) throws -> [Int] {
        guard shape.count >= 2 else {
            throw SinabsError.shape("FlattenTime expects (Batch, Time, ...), got \(shape)")
        }
        return [try Shape.elementCount(Array(shape[..<2]))] + Array(shape.dropFirst(2))
    }

    public static var kinds: [String] { ["FlattenTime"] }
    public var layerDescription: LayerDescription { LayerDescription(kind: "FlattenTime") }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        self.init()
    }
}
