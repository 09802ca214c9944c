/// torch.nn.ZeroPad2d: zeros around the last two dimensions, (left, right,
/// top, bottom); negative amounts crop, as in torch.
public final class ZeroPad2d: PaddingLayer, DescribableLayer {
    /// (left, right, top, bottom), torch's order.
    public let padding: [Int]
    public var training = false
    var pendingShape = PendingBackward<[Int]>()

    /// torch.nn.ZeroPad2d((left, right, top, bottom)).
    ///
    /// - Throws: `.invalidArgument` unless four amounts are given (negative ones crop).
    public init(padding: [Int]) throws {
        let limit = WindowGeometry.limit
        guard padding.count == 4, padding.allSatisfy({ (-limit...limit).contains($0) }) else {
            throw SinabsError.invalid("ZeroPad2d: padding must be 4 ints (left, right, top, bottom) in +-\(limit), got \(padding)")
        }
        self.padding = padding
    }

    /// The same padding on all four sides.
    public convenience init(_ all: Int) throws { try self.init(padding: [all, all, all, all]) }

    func padPlan(_ shape: [Int]) throws -> PadPlan {
        try .lastTwo(shape, top: padding[2], bottom: padding[3], left: padding[0], right: padding[1], "ZeroPad2d")
    }

    public static var kinds: [String] { ["ZeroPad2d"] }

    public var layerDescription: LayerDescription {
        LayerDescription(kind: "ZeroPad2d", arguments: ["padding": .ints(padding)])
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        if case .int(let all)? = description.arguments["padding"] {
            try self.init(all)
        } else {
            try self.init(padding: try description.ints("padding", count: 4))
        }
    }
}
