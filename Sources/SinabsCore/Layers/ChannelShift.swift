/// sinabs.layers.ChannelShift: `channel_shift` zero channels in front of the
/// channel axis (`channel_axis`, counted from the end); a negative shift
/// drops channels, as torch's pad does.
public final class ChannelShift: PaddingLayer, DescribableLayer {
    /// Channels of zeros added in front of the input's channels (negative: channels dropped).
    public let channelShift: Int
    /// The axis that holds channels, counted from the end when negative.
    public let channelAxis: Int
    public var training = false
    var pendingShape = PendingBackward<[Int]>()

    /// sinabs.layers.ChannelShift(channel_shift, channel_axis).
    public init(channelShift: Int = 0, channelAxis: Int = -3) throws {
        guard (-Shape.maxRank...(-1)).contains(channelAxis) else {
            throw SinabsError.invalid("ChannelShift: channel_axis must be negative (counted from the end), got \(channelAxis)")
        }
        guard (-WindowGeometry.limit...WindowGeometry.limit).contains(channelShift) else {
            throw SinabsError.invalid("ChannelShift: channel_shift \(channelShift) is out of range")
        }
        self.channelShift = channelShift
        self.channelAxis = channelAxis
    }

    func padPlan(_ shape: [Int]) throws -> PadPlan {
        let axis = shape.count + channelAxis
        guard axis >= 0 else {
            throw SinabsError.shape("ChannelShift(channel_axis=\(channelAxis)) needs rank >= \(-channelAxis), got \(shape)")
        }
        var plan = PadPlan(outer: try Shape.elementCount(Array(shape[..<axis])), rows: shape[axis],
                           cols: try Shape.elementCount(Array(shape[(axis + 1)...])), top: channelShift)
        var output = shape
        output[axis] += channelShift
        plan.outputShape = output
        return try plan.checked("ChannelShift", shape)
    }

    public static var kinds: [String] { ["ChannelShift"] }

    public var layerDescription: LayerDescription {
        LayerDescription(kind: "ChannelShift", arguments: ["channel_shift": .int(channelShift),
                                                           "channel_axis": .int(channelAxis)])
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        try self.init(channelShift: try description.int("channel_shift", default: 0),
                      channelAxis: try description.int("channel_axis", default: -3))
    }
}
