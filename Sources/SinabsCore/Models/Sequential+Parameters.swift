// Parameters and gradients of a model by torch-style names: "<layer
// index>.<parameter name>" ("0.weight", "1.tau_mem", "3.rec_connect.weight").
extension Sequential {
    /// One parameter of the model: its name, the tensor itself (writes change
    /// the layer), and for trainable ones the gradient accumulator.
    public struct NamedParameter {
        /// The torch-style name, "<layer index>.<name>".
        public let name: String
        /// The parameter tensor itself.
        public let value: Tensor
        /// The index of its layer.
        public let layerIndex: Int
        /// Its layer.
        public let layer: Layer
        /// The name inside its layer ("weight").
        public let localName: String
    }

    /// Every parameter, in layer order then each layer's order (torch's
    /// `named_parameters()`), incl. fixed ones such as spike_threshold.
    public func namedParameters() -> [NamedParameter] {
        var list: [NamedParameter] = []
        for (index, layer) in layers.enumerated() {
            for name in layer.parameterNames {
                guard let value = try? layer.parameter(named: name) else { continue }
                list.append(NamedParameter(name: "\(index).\(name)", value: value, layerIndex: index,
                                           layer: layer, localName: name))
            }
        }
        return list
    }

    /// Every parameter's torch-style name, in `namedParameters()` order.
    public var parameterNames: [String] { namedParameters().map(\.name) }

    /// The parameter tensor itself.
    public func parameter(named name: String) throws -> Tensor {
        let (layer, local) = try split(name)
        return try layer.parameter(named: local)
    }

    /// Copies `value` into parameter `name` (validated by its layer).
    public func setParameter(named name: String, to value: Tensor) throws {
        let (layer, local) = try split(name)
        try layer.setParameter(named: local, to: value)
    }

    /// The parameters that receive gradients, each with its gradient tensor:
    /// the layer's accumulator itself for `GradientAccumulating` layers
    /// (writes change it), otherwise a copy.
    public func namedGradients() throws -> [(name: String, parameter: Tensor, gradient: Tensor)] {
        var list: [(name: String, parameter: Tensor, gradient: Tensor)] = []
        for (index, layer) in layers.enumerated() {
            for name in Self.trainableNames(of: layer) {
                list.append(("\(index).\(name)", try layer.parameter(named: name),
                             try Self.gradient(of: layer, named: name)))
            }
        }
        return list
    }

    /// The gradient of trainable parameter `name` (see `namedGradients`).
    public func gradient(named name: String) throws -> Tensor {
        let (layer, local) = try split(name)
        guard Self.trainableNames(of: layer).contains(local) else {
            throw SinabsError(.notFound, "model parameter '\(name)' is not trainable")
        }
        return try Self.gradient(of: layer, named: local)
    }

    /// Zeroes every layer's gradient accumulators.
    public func zeroGrad() {
        for layer in layers { layer.zeroGrad() }
    }

    /// The number of elements of every parameter of `layer`.
    static func parameterCount(of layer: Layer) -> Int {
        layer.parameterNames.reduce(0) { $0 + ((try? layer.parameter(named: $1).count) ?? 0) }
    }

    static func trainableNames(of layer: Layer) -> [String] {
        if let accumulating = layer as? GradientAccumulating { return accumulating.trainableParameterNames }
        return layer.parameterNames.filter { (try? layer.gradient(named: $0)) != nil }
    }

    static func gradient(of layer: Layer, named name: String) throws -> Tensor {
        if let accumulating = layer as? GradientAccumulating { return try accumulating.gradientAccumulator(named: name) }
        return try layer.gradient(named: name)
    }

    /// "3.rec_connect.weight" -> (layer 3, "rec_connect.weight").
    private func split(_ name: String) throws -> (Layer, String) {
        guard let dot = name.firstIndex(of: "."), let index = Int(name[..<dot]),
              layers.indices.contains(index) else {
            throw SinabsError(.notFound, "model has no parameter named '\(name)' (names are '<layer index>.<name>')")
        }
        let local = String(name[name.index(after: dot)...])
        guard layers[index].parameterNames.contains(local) else {
            throw SinabsError(.notFound, "model has no parameter named '\(name)'")
        }
        return (layers[index], local)
    }
}
