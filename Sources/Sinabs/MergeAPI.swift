import CSinabs
import SinabsCore

// Merge, the two-input layer, and the pair verbs that drive it.

@c @implementation
public func sinabs_merge_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> sinabs_status {
    guarded(out: out) { out in out.pointee = retainedHandle(Merge()) }
}

/// Runs `body` on the Merge layer behind `handle`, marked busy.
private func withMerge<R>(_ handle: OpaquePointer?, _ body: (Merge) throws -> R) throws -> R {
    guard let merge = try layer(handle) as? Merge else { throw invalid("layer does not take two inputs (only Merge does)") }
    return try exclusively(merge, body)
}

@c @implementation
public func sinabs_layer_forward_pair(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ handle: OpaquePointer?,
                                      _ a: OpaquePointer?, _ b: OpaquePointer?) -> sinabs_status {
    guarded(out: out) { out in
        let (a, b) = (try tensor(a, "a"), try tensor(b, "b"))
        out.pointee = try withMerge(handle) { retainedHandle(try $0.forward(a, b)) }
    }
}

@c @implementation
public func sinabs_layer_backward_pair(_ out_grad_a: UnsafeMutablePointer<OpaquePointer?>?,
                                       _ out_grad_b: UnsafeMutablePointer<OpaquePointer?>?,
                                       _ handle: OpaquePointer?, _ grad_output: OpaquePointer?) -> sinabs_status {
    guard let out_grad_b else { return fail(SINABS_ERR_INVALID_ARGUMENT, "out_grad_b is NULL") }
    out_grad_b.pointee = nil
    return guarded(out: out_grad_a) { outA in
        let gradOutput = try tensor(grad_output, "grad_output")
        let (gradA, gradB) = try withMerge(handle) { try $0.backward(pair: gradOutput) }
        outA.pointee = retainedHandle(gradA)
        out_grad_b.pointee = retainedHandle(gradB)
    }
}
