import CSinabs
import SinabsCore

// Parameters over outside memory (zero-copy weight transfer from torch).

@c @implementation
public func sinabs_layer_share_parameter(_ handle: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                         _ value: OpaquePointer?) -> sinabs_status {
    guarded {
        let name = try readName(name), value = try tensor(value, "value")
        try withLayer(handle) { layer in
            guard let sharing = layer as? ParameterSharing else {
                throw invalid("\(Sequential.kindName(of: layer)) cannot share its parameters (only Linear and Conv2d can)")
            }
            try sharing.shareParameter(named: name, with: value)
        }
    }
}
