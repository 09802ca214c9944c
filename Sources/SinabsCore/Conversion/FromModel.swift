/// ANN-to-SNN weight transfer (sinabs' `from_model`).
public enum Conversion {
    /// Kinds that become a spiking layer.
    public static let activationKinds: Set<String> = ["ReLU", "NeuromorphicReLU"]

    /// A new SNN: `ann`'s layers rebuilt from their descriptions with their
    /// parameters copied (the ANN is left untouched, as sinabs deep-copies
    /// it), each ReLU replaced by a new spiking layer of `options`, biases
    /// of Linear and Conv2d divided by `options.biasRescaling`, and a
    /// spiking output appended when asked for and the ANN ends otherwise.
    ///
    /// - Throws: `.invalidArgument` for bad options or a layer that cannot
    ///   be described (every layer in the registry can).
    public static func fromModel(_ ann: Sequential, options: ConversionOptions) throws -> Sequential {
        try options.validate()
        var layers: [Layer] = []
        layers.reserveCapacity(ann.layers.count + 1)
        for (index, layer) in ann.layers.enumerated() {
            let kind = Sequential.kindName(of: layer)
            if activationKinds.contains(kind) {
                layers.append(try NeuronLayer(options.spikingLayer))
                continue
            }
            guard let describable = layer as? DescribableLayer else {
                throw SinabsError.invalid("layer \(index) (\(kind)) cannot be converted: it has no description")
            }
            let copy = try LayerRegistry.makeLayer(describable.layerDescription)
            for name in layer.parameterNames {
                let value = try layer.parameter(named: name).copy()
                if name == "bias", layer is Linear || layer is Conv2d, options.biasRescaling != 1 {
                    value.withUnsafeMutableBufferPointer { bias in
                        for i in bias.indices { bias[i] /= options.biasRescaling }
                    }
                }
                try copy.setParameter(named: name, to: value)
            }
            layers.append(copy)
        }
        let endsInActivation = ann.layers.last.map { activationKinds.contains(Sequential.kindName(of: $0)) } ?? false
        if options.addSpikingOutput, !endsInActivation {
            layers.append(try NeuronLayer(options.spikingLayer))
        }
        let snn = Sequential(layers)
        if let shape = options.dummyInputShape {
            _ = try snn.forward(try Tensor(zeros: shape))
        }
        snn.training = ann.training
        return snn
    }
}
