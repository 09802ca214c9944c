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
