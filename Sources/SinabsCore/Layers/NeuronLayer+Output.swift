extension NeuronLayer {
    /// The output for `input` in a tensor of its own. When the caller has
    /// released the previous result, its memory is reused: a simulation loop
    /// then neither allocates nor first-touches a new output per call.
    public func forward(_ input: Tensor) throws -> Tensor {
        let output = try RecycledBuffer.tensor(shape: try outputShape(for: input.shape), from: &outputPool)
        try forward(input, into: output)
        return output
    }
}
