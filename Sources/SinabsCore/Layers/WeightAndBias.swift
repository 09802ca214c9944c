/// A layer whose parameters are a weight and an optional bias (Linear,
/// Conv2d): names, lookup and validated assignment, answered once.
protocol WeightAndBias: Layer {
    var weight: Tensor { get }
    var bias: Tensor? { get }
}

extension WeightAndBias {
    public var parameterNames: [String] { bias == nil ? ["weight"] : ["weight", "bias"] }

    public func parameter(named name: String) throws -> Tensor {
        switch (name, bias) {
        case ("weight", _): return weight
        case ("bias", let bias?): return bias
        default: throw Self.missing("parameter", name)
        }
    }

    /// Copies `value` (of the parameter's shape) into the parameter.
    public func setParameter(named name: String, to value: Tensor) throws {
        let target = try parameter(named: name)
        guard value.shape == target.shape else {
            throw SinabsError.shape("\(name) has shape \(target.shape), got \(value.shape)")
        }
        try target.copyElements(from: value)
    }
}
