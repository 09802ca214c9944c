/// Which Swift type builds each layer kind of a model file. A new layer type
/// conforms to `DescribableLayer` and is listed here: one line each.
public enum LayerRegistry {
    /// Every layer type a model file can hold.
    public static let types: [any DescribableLayer.Type] = [
        Linear.self,
        NeuronLayer.self,
        Conv2d.self,
        AvgPool2d.self,
        SumPool2d.self,
        MaxPool2d.self,
        Flatten.self,
        FlattenTime.self,
        UnflattenTime.self,
        ZeroPad2d.self,
        Cropping2dLayer.self,
        ChannelShift.self,
        Merge.self,
        Dropout.self,
        ReLU.self,
        Repeat.self,
        NeuromorphicReLU.self,
        QuantizeLayer.self,
        Img2SpikeLayer.self,
        Sig2SpikeLayer.self,
    ]

    /// The type that builds `kind`, or nil.
    public static func type(for kind: String) -> (any DescribableLayer.Type)? {
        types.first { $0.kinds.contains(kind) }
    }

    /// A new layer from its description; `.invalidArgument` for an unknown
    /// kind or bad arguments.
    public static func makeLayer(_ description: LayerDescription) throws -> Layer {
        guard let type = type(for: description.kind) else {
            throw SinabsError.invalid("unknown layer kind '\(description.kind)'")
        }
        return try type.init(description: description)
    }

    /// A new layer of `kind` from its constructor arguments as a JSON object
    /// (`{"in_channels": 2, "out_channels": 8, "kernel_size": 3}`), the form
    /// model files store; ints without a decimal point, None as null.
    public static func makeLayer(kind: String, argumentsJSON: String) throws -> Layer {
        let arguments = try JSON.parse(argumentsJSON)
        guard case .object = arguments else {
            throw SinabsError.invalid("\(kind): the arguments must be a JSON object")
        }
        return try makeLayer(try LayerDescription(json: .object([("kind", .string(kind)), ("arguments", arguments)])))
    }
}
