import CSinabs
import SinabsCore

@c @implementation
public func sinabs_layer_set_training(_ handle: OpaquePointer?, _ training: Int32) -> sinabs_status {
    guarded {
        try withLayer(handle) { $0.training = training != 0 }
    }
}

@c @implementation
public func sinabs_layer_backward(_ out_grad_input: UnsafeMutablePointer<OpaquePointer?>?,
                                  _ handle: OpaquePointer?, _ grad_output: OpaquePointer?) -> sinabs_status {
    guarded(out: out_grad_input) { out in
        let gradOutput = try tensor(grad_output, "grad_output")
        out.pointee = try withLayer(handle) { retainedHandle(try $0.backward(gradOutput)) }
    }
}

@c @implementation
public func sinabs_layer_get_grad(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ handle: OpaquePointer?,
                                  _ name: UnsafePointer<CChar>?) -> sinabs_status {
    guarded(out: out) { out in
        let name = try readName(name)
        out.pointee = try withLayer(handle) { retainedHandle(try $0.gradient(named: name)) }
    }
}

@c @implementation
public func sinabs_layer_zero_grad(_ handle: OpaquePointer?) -> sinabs_status {
    guarded { try withLayer(handle) { $0.zeroGrad() } }
}
