import CSinabs
import SinabsCore

@c @implementation
public func sinabs_layer_set_training(_ handle: OpaquePointer?, _ training: Int32) -> sinabs_status {
    guarded {
        let layer = try layer(handle)
        layer.training = training != 0
    }
}

@c @implementation
public func sinabs_layer_backward(_ out_grad_input: UnsafeMutablePointer<OpaquePointer?>?,
                                  _ handle: OpaquePointer?, _ grad_output: OpaquePointer?) -> sinabs_status {
    guarded(out: out_grad_input) { out in
        let layer = try layer(handle)
        out.pointee = retainedHandle(try layer.backward(try tensor(grad_output, "grad_output")))
    }
}

@c @implementation
public func sinabs_layer_get_grad(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ handle: OpaquePointer?,
                                  _ name: UnsafePointer<CChar>?) -> sinabs_status {
    guarded(out: out) { out in
        let layer = try layer(handle)
        out.pointee = retainedHandle(try layer.gradient(named: try readName(name)))
    }
}

@c @implementation
public func sinabs_layer_zero_grad(_ handle: OpaquePointer?) -> sinabs_status {
    guarded { try layer(handle).zeroGrad() }
}
