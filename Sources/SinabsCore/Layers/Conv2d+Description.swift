/// Conv2d as torch.nn.Conv2d's constructor call (padding_mode "zeros" only).
extension Conv2d: DescribableLayer {
    public static var kinds: [String] { ["Conv2d"] }

    public var layerDescription: LayerDescription {
        LayerDescription(kind: "Conv2d", arguments: [
            "in_channels": .int(inChannels), "out_channels": .int(outChannels),
            "kernel_size": LayerArgument(geometry.kernel), "stride": LayerArgument(geometry.stride),
            "padding": LayerArgument(geometry.padding), "dilation": LayerArgument(geometry.dilation),
            "groups": .int(groups), "bias": .bool(bias != nil),
        ])
    }

    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        if let mode = description.arguments["padding_mode"], mode != .string("zeros"), mode != .none {
            throw SinabsError.invalid("Conv2d: only padding_mode 'zeros' is supported")
        }
        try self.init(inChannels: try description.int("in_channels"), outChannels: try description.int("out_channels"),
                      kernelSize: try description.pair("kernel_size"),
                      stride: try description.pair("stride", default: Pair2d(1)),
                      padding: try description.pair("padding", default: Pair2d(0)),
                      dilation: try description.pair("dilation", default: Pair2d(1)),
                      groups: try description.int("groups", default: 1),
                      bias: try description.bool("bias", default: true))
    }
}
