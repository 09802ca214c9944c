/// A layer whose parameters are a weight and an optional bias (Linear,
/// Conv2d): names, lookup and validated assignment, answered once.
protocol WeightAndBias: ParameterSharing {
    var weight: Tensor { get set }
    var bias: Tensor? { get set }
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

/// A layer whose parameters can take over memory from outside without a copy
/// (a torch tensor's, through DLPack): Linear and Conv2d.
public protocol ParameterSharing: Layer {
    /// Makes parameter `name` the memory of `tensor` (same shape): no copy,
    /// later writes through either side are seen by both, and the layer
    /// keeps `tensor`'s storage alive. Values are taken as they are (no
    /// checks: weights may be any float). Create optimizers afterwards: one
    /// created before keeps updating the old memory.
    /// - Throws: `.notFound` for another name, `.shape` for another shape.
    func shareParameter(named name: String, with tensor: Tensor) throws
}

extension WeightAndBias {
    public func shareParameter(named name: String, with tensor: Tensor) throws {
        let target = try parameter(named: name)
        guard tensor.shape == target.shape else {
            throw SinabsError.shape("\(name) has shape \(target.shape), got \(tensor.shape)")
        }
        if name == "weight" { weight = tensor } else { bias = tensor }
    }
}
