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

extension NeuronLayer {
    /// Throws INVALID_ARGUMENT when `output` overlaps the input or anything
    /// the layer keeps across calls (states, parameters, recordings, the
    /// tape). Names are built only for the error: this runs on every call.
    func checkOutputDisjoint(_ output: Tensor, input: Tensor) throws {
        func refuse(_ what: @autoclosure () -> String) -> SinabsError {
            SinabsError.invalid("output must not share memory with \(what())")
        }
        if output.overlaps(input) { throw refuse("the input") }
        for (name, state) in states where output.overlaps(state) { throw refuse("state \(name)") }
        for (name, parameter) in parameters where output.overlaps(parameter) { throw refuse("parameter \(name)") }
        for (name, recording) in recordings where output.overlaps(recording) {
            throw refuse("the recording of \(name)")
        }
        guard let tape = autograd.tape else { return }
        for buffer in [tape.u, tape.vStart, tape.i, tape.b, tape.x, tape.weight, tape.input] {
            if let buffer, output.overlaps(buffer) { throw refuse("the training tape") }
        }
    }
}
