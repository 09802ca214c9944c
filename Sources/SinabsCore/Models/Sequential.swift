/// Layers run in order, each output feeding the next (torch.nn.Sequential).
public final class Sequential {
    public private(set) var layers: [Layer]

    public init(_ layers: [Layer] = []) { self.layers = layers }

    public func append(_ layer: Layer) { layers.append(layer) }

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

    public func resetStates() {
        for layer in layers { layer.resetStates(randomize: false, ranges: [:], seed: 0) }
    }
}
