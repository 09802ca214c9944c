import CSinabs
import SinabsCore

// sinabs_tape: a training forward's tape, taken out of its neuron layer.

func tape(_ handle: OpaquePointer?) throws -> NeuronTapeHandle {
    guard let handle else { throw invalid("tape is NULL") }
    let any = Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
    guard let typed = any as? NeuronTapeHandle else { throw invalid("tape is not a sinabs_tape handle") }
    return typed
}

@c @implementation
public func sinabs_layer_take_tape(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                   _ handle: OpaquePointer?) -> sinabs_status {
    guarded(out: out) { out in
        out.pointee = try withNeuronLayer(handle) { retainedHandle(try $0.takeTape()) }
    }
}

@c @implementation
public func sinabs_tape_backward(_ out_grad_input: UnsafeMutablePointer<OpaquePointer?>?,
                                 _ out_grad_states: UnsafeMutablePointer<OpaquePointer?>?,
                                 _ handle: OpaquePointer?, _ grad_output: OpaquePointer?,
                                 _ grad_states: UnsafePointer<OpaquePointer?>?,
                                 _ grad_recordings: UnsafePointer<OpaquePointer?>?,
                                 _ n_states: Int32) -> sinabs_status {
    if let out_grad_states, n_states > 0 {  // no stale handles after a failure
        for k in 0..<Int(n_states) { out_grad_states[k] = nil }
    }
    return guarded(out: out_grad_input) { out in
        let taken = try tape(handle)
        let names = taken.layer.stateNames
        guard n_states == 0 || Int(n_states) == names.count else {
            throw invalid("n_states is \(n_states); the layer has \(names.count) states (or pass 0)")
        }
        guard n_states > 0 || (grad_states == nil && grad_recordings == nil && out_grad_states == nil) else {
            throw invalid("grad_states, grad_recordings and out_grad_states need n_states = \(names.count)")
        }
        let finalGradients = try namedTensors(grad_states, names, "grad_states")
        let recordingGradients = try namedTensors(grad_recordings, names, "grad_recordings")
        let gradOutput = try tensor(grad_output, "grad_output")
        // The tape is used once and backward adds to its layer's gradients: mark both.
        let (gradInput, stateGradients) = try Exclusive.run([taken] + runsWith(taken.layer), "tape or its layer") {
            try taken.backward(gradOutput, finalStateGradients: finalGradients, recordingGradients: recordingGradients)
        }
        out.pointee = retainedHandle(gradInput)
        if let out_grad_states {
            for (k, name) in names.enumerated() {
                out_grad_states[k] = stateGradients[name].map { retainedHandle($0) }
            }
        }
    }
}

/// {name: tensor} of the non-NULL entries of a C array aligned with `names`.
private func namedTensors(_ array: UnsafePointer<OpaquePointer?>?, _ names: [String],
                          _ what: String) throws -> [String: Tensor] {
    guard let array else { return [:] }
    var tensors: [String: Tensor] = [:]
    for (k, name) in names.enumerated() where array[k] != nil {
        tensors[name] = try tensor(array[k], "\(what)[\(k)]")
    }
    return tensors
}

@c @implementation
public func sinabs_tape_free(_ handle: OpaquePointer?) {
    releaseHandle(handle, as: NeuronTapeHandle.self, kind: "tape")
}
