import CSinabs
import SinabsCore

@c @implementation
public func sinabs_model_create(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> sinabs_status {
    guarded(out: out) { out in out.pointee = retainedHandle(Sequential()) }
}

@c @implementation
public func sinabs_model_free(_ model: OpaquePointer?) {
    releaseHandle(model, as: ModelObject.self, kind: "model")
}

@c @implementation
public func sinabs_model_append(_ handle: OpaquePointer?, _ layerHandle: OpaquePointer?) -> sinabs_status {
    guarded {
        let layer = try layer(layerHandle)
        try withModel(handle) { $0.append(layer) }
    }
}

@c @implementation
public func sinabs_model_layer_count(_ out_count: UnsafeMutablePointer<Int32>?,
                                     _ handle: OpaquePointer?) -> sinabs_status {
    guarded { try write(Int32(try withModel(handle) { $0.layers.count }), to: out_count, "out_count") }
}

@c @implementation
public func sinabs_model_get_layer(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                   _ handle: OpaquePointer?, _ index: Int32) -> sinabs_status {
    guarded(out: out) { out in
        let layers = try withModel(handle) { $0.layers }
        guard index >= 0, Int(index) < layers.count else {
            throw invalid("layer index \(index) is outside 0..<\(layers.count)")
        }
        out.pointee = retainedHandle(layers[Int(index)])
    }
}

@c @implementation
public func sinabs_model_forward(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ handle: OpaquePointer?,
                                 _ input: OpaquePointer?) -> sinabs_status {
    guarded(out: out) { out in
        let x = try tensor(input, "input")
        let y = try withModel(handle, andLayers: true) { try $0.forward(x) }
        // An empty model returns its input object; the caller was promised a new tensor.
        out.pointee = retainedHandle(y === x ? try x.copy() : y)
    }
}

@c @implementation
public func sinabs_model_reset_states(_ handle: OpaquePointer?) -> sinabs_status {
    guarded { try withModel(handle, andLayers: true) { $0.resetStates() } }
}

@c @implementation
public func sinabs_model_set_training(_ handle: OpaquePointer?, _ training: Int32) -> sinabs_status {
    guarded { try withModel(handle, andLayers: true) { $0.training = training != 0 } }
}

@c @implementation
public func sinabs_model_build(_ handle: OpaquePointer?, _ shape: UnsafePointer<Int64>?, _ rank: Int32) -> sinabs_status {
    guarded {
        let shape = try readShape(shape, rank)
        _ = try withModel(handle, andLayers: true) { try $0.build(inputShape: shape) }
    }
}

@c @implementation
public func sinabs_model_backward(_ out_grad_input: UnsafeMutablePointer<OpaquePointer?>?, _ handle: OpaquePointer?,
                                  _ grad_output: OpaquePointer?) -> sinabs_status {
    guarded(out: out_grad_input) { out in
        let gradOutput = try tensor(grad_output, "grad_output")
        let gradInput = try withModel(handle, andLayers: true) { try $0.backward(gradOutput) }
        // An empty model passes the caller's tensor through; the caller was promised a new one.
        out.pointee = retainedHandle(gradInput === gradOutput ? try gradOutput.copy() : gradInput)
    }
}

@c @implementation
public func sinabs_model_backward_parameters(_ handle: OpaquePointer?, _ grad_output: OpaquePointer?) -> sinabs_status {
    guarded {
        let gradOutput = try tensor(grad_output, "grad_output")
        try withModel(handle, andLayers: true) { try $0.backwardParameters(gradOutput) }
    }
}

@c @implementation
public func sinabs_model_parameter_count(_ out_count: UnsafeMutablePointer<Int32>?,
                                         _ handle: OpaquePointer?) -> sinabs_status {
    guarded {
        let count = try withModel(handle, andLayers: true) { $0.namedParameters().count }
        guard count <= Int(Int32.max) else { throw invalid("more than \(Int32.max) parameters") }
        try write(Int32(count), to: out_count, "out_count")
    }
}

@c @implementation
public func sinabs_model_parameter_name(_ out_name: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                        _ handle: OpaquePointer?, _ index: Int32) -> sinabs_status {
    guarded {
        let names = try withModel(handle, andLayers: true) { $0.parameterNames }
        guard index >= 0, Int(index) < names.count else {
            throw invalid("parameter index \(index) is outside 0..<\(names.count)")
        }
        try write(try internedName(names[Int(index)]), to: out_name, "out_name")
    }
}

@c @implementation
public func sinabs_model_get_parameter(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ handle: OpaquePointer?,
                                       _ name: UnsafePointer<CChar>?) -> sinabs_status {
    guarded(out: out) { out in
        let name = try readName(name)
        out.pointee = try withModel(handle, andLayers: true) { retainedHandle(try $0.parameter(named: name)) }
    }
}

@c @implementation
public func sinabs_model_get_grad(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ handle: OpaquePointer?,
                                  _ name: UnsafePointer<CChar>?) -> sinabs_status {
    guarded(out: out) { out in
        let name = try readName(name)
        out.pointee = try withModel(handle, andLayers: true) { retainedHandle(try $0.gradient(named: name)) }
    }
}

@c @implementation
public func sinabs_model_zero_grad(_ handle: OpaquePointer?) -> sinabs_status {
    guarded { try withModel(handle, andLayers: true) { $0.zeroGrad() } }
}

@c @implementation
public func sinabs_model_clip_grad_norm(_ out_total_norm: UnsafeMutablePointer<Float>?, _ handle: OpaquePointer?,
                                        _ max_norm: Float) -> sinabs_status {
    guarded {
        guard let out_total_norm else { throw invalid("out_total_norm is NULL") }
        out_total_norm.pointee = try withModel(handle, andLayers: true) { try $0.clipGradientNorm(maxNorm: max_norm) }
    }
}

@c @implementation
public func sinabs_model_summary(_ out_text: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                 _ out_length: UnsafeMutablePointer<Int>?, _ handle: OpaquePointer?) -> sinabs_status {
    guarded { try writeText(try withModel(handle, andLayers: true) { $0.summary() }, out_text, capacity, out_length) }
}

@c @implementation
public func sinabs_model_save(_ handle: OpaquePointer?, _ path: UnsafePointer<CChar>?,
                              _ include_states: Int32) -> sinabs_status {
    guarded {
        guard let path else { throw invalid("path is NULL") }
        let file = String(cString: path)
        try withModel(handle, andLayers: true) { try $0.save(to: file, includeStates: include_states != 0) }
    }
}

@c @implementation
public func sinabs_model_load(_ handle: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> sinabs_status {
    guarded {
        guard let path else { throw invalid("path is NULL") }
        let file = String(cString: path)
        try withModel(handle, andLayers: true) { try $0.load(from: file) }
    }
}

@c @implementation
public func sinabs_layer_create_described(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ kind: UnsafePointer<CChar>?,
                                          _ arguments_json: UnsafePointer<CChar>?) -> sinabs_status {
    guarded(out: out) { out in
        guard let kind, let arguments_json else { throw invalid("kind or arguments_json is NULL") }
        out.pointee = retainedHandle(try LayerRegistry.makeLayer(kind: String(cString: kind),
                                                                 argumentsJSON: String(cString: arguments_json)))
    }
}
