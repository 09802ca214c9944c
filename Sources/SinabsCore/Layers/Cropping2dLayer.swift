/// sinabs.layers.Cropping2dLayer: removes ((top, bottom), (left, right))
/// from the last two dimensions of an (N, C, H, W) input.
public final class Cropping2dLayer: PaddingLayer, DescribableLayer {
    /// Rows and columns cut from each side of the last two dimensions.
    public let top: Int, bottom: Int, left: Int, right: Int
    public var training = false
    var pendingShape = PendingBackward<[Int]>()

    /// sinabs.layers.Cropping2dLayer(((top, bottom), (left, right))).
    ///
    /// - Throws: `.invalidArgument` for a negative amount.
    public init(top: Int = 0, bottom: Int = 0, left: Int = 0, right: Int = 0) throws {
        let limit = WindowGeometry.limit
        guard [top, bottom, left, right].allSatisfy({ (0...limit).contains($0) }) else {
            throw SinabsError.invalid("Cropping2dLayer: crops must be in 0...\(limit), got ((\(top), \(bottom)), (\(left), \(right)))")
        }
        (self.top, self.bottom, self.left, self.right) = (top, bottom, left, right)
    }

    func padPlan(_ shape: [Int]) throws -> PadPlan {
        guard shape.count == 4 else { throw SinabsError.shape("Cropping2dLayer expects (N, C, H, W), got \(shape)") }
        return try .lastTwo(shape, top: -top, bottom: -bottom, left: -left, right: -right, "Cropping2dLayer")
    }

    public static var kinds: [String] { ["Cropping2dLayer"] }

    /// "cropping" flattened: (top, bottom, left, right).
    public var layerDescription: LayerDescription {
        LayerDescription(kind: "Cropping2dLayer", arguments: ["cropping": .ints([top, bottom, left, right])])
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        guard description.arguments["cropping"] != nil else { try self.init(); return }
        let c = try description.ints("cropping", count: 4)
        try self.init(top: c[0], bottom: c[1], left: c[2], right: c[3])
    }
}
