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
    /// Every tensor the layer keeps across calls (states, parameters,
    /// recordings, the tape): a forward's output must overlap none of them.
    var ownTensors: [(what: String, tensor: Tensor?)] {
        var list: [(what: String, tensor: Tensor?)] = []
        for (name, state) in states { list.append(("state \(name)", state)) }
        for (name, parameter) in parameters { list.append(("parameter \(name)", parameter)) }
        for (name, recording) in recordings { list.append(("the recording of \(name)", recording)) }
        if let tape = autograd.tape {
            for buffer in [tape.u, tape.vStart, tape.i, tape.b, tape.x, tape.weight, tape.input] {
                list.append(("the training tape", buffer))
            }
        }
        return list
    }
}
