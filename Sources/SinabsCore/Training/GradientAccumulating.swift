/// A layer whose parameter gradients live in tensors it keeps (its
/// accumulators), so that optimizers, clipping and callers (numpy through the
/// C ABI) read and write them in place instead of through copies.
public protocol GradientAccumulating: Layer {
    /// Parameters that receive gradients, in `parameterNames` order.
    var trainableParameterNames: [String] { get }
    /// The accumulator of trainable parameter `name` itself (created as zeros
    /// on first use): backward adds to it, `zeroGrad` zeroes it.
    func gradientAccumulator(named name: String) throws -> Tensor
}

extension Linear: GradientAccumulating {
    /// Every parameter: weight and bias.
    public var trainableParameterNames: [String] { parameterNames }

    /// The accumulator itself (see `GradientAccumulating`).
    public func gradientAccumulator(named name: String) throws -> Tensor {
        guard parameterNames.contains(name) else { throw Self.missing("trainable parameter", name) }
        return try accumulator(name)
    }
}

extension NeuronLayer: GradientAccumulating {
    /// The accumulator itself (see `GradientAccumulating`).
    public func gradientAccumulator(named name: String) throws -> Tensor {
        guard trainableParameterNames.contains(name) else { throw Self.missing("trainable parameter", name) }
        return try gradientAccumulator(name)
    }
}

extension Conv2d: GradientAccumulating {
    /// Every parameter: weight and bias.
    public var trainableParameterNames: [String] { parameterNames }

    /// The accumulator itself (see `GradientAccumulating`).
    public func gradientAccumulator(named name: String) throws -> Tensor {
        guard parameterNames.contains(name) else { throw Self.missing("trainable parameter", name) }
        return try gradients.accumulator(name, shape: try parameter(named: name).shape)
    }
}

/// Repeat's gradients are its module's, named "module.<name>".
extension Repeat: GradientAccumulating {
    /// The module's trainable parameters, "module.<name>".
    public var trainableParameterNames: [String] { Sequential.trainableNames(of: module).map { "module." + $0 } }

    /// The accumulator itself (see `GradientAccumulating`).
    public func gradientAccumulator(named name: String) throws -> Tensor {
        guard name.hasPrefix("module.") else { throw Self.missing("trainable parameter", name) }
        return try Sequential.gradient(of: module, named: String(name.dropFirst("module.".count)))
    }
}

extension Sequential {
    /// True when `layer`'s gradients are its accumulators themselves (so
    /// that clipping and in-place writes reach them).
    static func keepsAccumulators(_ layer: Layer) -> Bool {
        if let repeated = layer as? Repeat { return keepsAccumulators(repeated.module) }
        return layer is GradientAccumulating || trainableNames(of: layer).isEmpty
    }
}
