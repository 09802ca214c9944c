/// Layers run in order, each output feeding the next (torch.nn.Sequential).
public final class Sequential {
    /// The layers, in the order they run.
    public private(set) var layers: [Layer]

    /// A model running `layers` in order.
    public init(_ layers: [Layer] = []) { self.layers = layers }

    /// Adds `layer` at the end.
    public func append(_ layer: Layer) { layers.append(layer) }

    /// The last layer's output for `input`, each layer's output feeding the next.
    ///
    /// - Throws: the first failing layer's ``SinabsError``, its message prefixed with the layer's index.
    public func forward(_ input: Tensor) throws -> Tensor {
        var x = input
        for (index, layer) in layers.enumerated() {
            do {
                x = try layer.forward(x)
            } catch let error as SinabsError {
                throw SinabsError(error.code, "layer \(index): \(error.message)")
            }
        }
        return x
    }

    /// Sets every layer's states to zero (neuron layers; others have none).
    public func resetStates() {
        for layer in layers { layer.resetStates(randomize: false, ranges: [:], seed: 0) }
    }
}
