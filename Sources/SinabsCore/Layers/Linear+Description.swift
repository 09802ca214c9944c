// Linear in a model file: kind "Linear", torch's constructor arguments.
extension Linear: DescribableLayer {
    /// "Linear".
    public static var kinds: [String] { ["Linear"] }

    /// Kind "Linear" with in_features, out_features and bias.
    public var layerDescription: LayerDescription {
        LayerDescription(kind: "Linear", arguments: [
            "in_features": .int(inFeatures), "out_features": .int(outFeatures), "bias": .bool(bias != nil),
        ])
    }

    /// A zero-initialised Linear layer from its description.
    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        try description.checkArgumentNames(allowed: ["in_features", "out_features", "bias"])
        try self.init(inFeatures: try description.int("in_features"), outFeatures: try description.int("out_features"),
                      bias: try description.bool("bias", default: true))
    }
}
