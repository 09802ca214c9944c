/// Initial values of connection parameters, one definition for every layer
/// kind so that C, Swift and Python start from the same numbers.
public enum ParameterInit {
    /// torch's default for `nn.Linear` and `nn.Conv*`: the weight by
    /// `kaiming_uniform_(a: sqrt(5))`, which is uniform in
    /// `[-1/sqrt(fanIn), 1/sqrt(fanIn))`, and the bias uniform in the same range.
    ///
    /// Values come from the process-wide generator (``manualSeed(_:)``): one
    /// draw seeds a private stream that fills `weight`, then `bias`.
    ///
    /// - Parameters:
    ///   - weight: filled in place.
    ///   - bias: filled in place when present.
    ///   - fanIn: inputs per output: `inFeatures` for Linear,
    ///     `inChannels / groups * kernelHeight * kernelWidth` for Conv2d.
    ///     With `fanIn <= 0` (an empty layer) both are set to zero.
    ///   - seed: a private seed for this layer alone; nil draws it from the
    ///     process-wide generator.
    public static func torchDefault(weight: Tensor, bias: Tensor?, fanIn: Int, seed: UInt64? = nil) {
        var stream = SplitMix64(seed: seed ?? ProcessGenerator.nextStreamSeed())
        let bound = fanIn > 0 ? Float(1 / Double(fanIn).squareRoot()) : 0
        weight.fillUniform(-bound...bound, using: &stream)
        bias?.fillUniform(-bound...bound, using: &stream)
    }
}

