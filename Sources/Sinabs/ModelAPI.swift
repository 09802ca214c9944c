import CSinabs
import SinabsCore

@c @implementation
public func sinabs_model_create(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> sinabs_status {
    guarded(out: out) { out in out.pointee = retainedHandle(Sequential()) }
}

@c @implementation
public func sinabs_model_free(_ model: OpaquePointer?) {
    releaseHandle(model)
}

@c @implementation
public func sinabs_model_append(_ handle: OpaquePointer?, _ layerHandle: OpaquePointer?) -> sinabs_status {
    guarded { try model(handle).append(try layer(layerHandle)) }
}

@c @implementation
public func sinabs_model_layer_count(_ out_count: UnsafeMutablePointer<Int32>?,
                                     _ handle: OpaquePointer?) -> sinabs_status {
    guarded { try write(Int32(try model(handle).layers.count), to: out_count, "out_count") }
}

@c @implementation
public func sinabs_model_get_layer(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                   _ handle: OpaquePointer?, _ index: Int32) -> sinabs_status {
    guarded(out: out) { out in
        let layers = try model(handle).layers
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
        let model = try model(handle)
        let x = try tensor(input, "input")
        let y = try model.forward(x)
        // An empty model returns its input object; the caller was promised a new tensor.
        out.pointee = retainedHandle(y === x ? try x.copy() : y)
    }
}

@c @implementation
public func sinabs_model_reset_states(_ handle: OpaquePointer?) -> sinabs_status {
    guarded { try model(handle).resetStates() }
}
