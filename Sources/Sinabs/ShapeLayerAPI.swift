import CSinabs
import SinabsCore

// Creates of the parameterless shape layers; the generic sinabs_layer_*
// verbs drive them.

@c @implementation
public func sinabs_flatten_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                        _ start_dim: Int32, _ end_dim: Int32) -> sinabs_status {
    guarded(out: out) { out in out.pointee = retainedHandle(try Flatten(startDim: Int(start_dim), endDim: Int(end_dim))) }
}

@c @implementation
public func sinabs_flatten_time_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> sinabs_status {
    guarded(out: out) { out in out.pointee = retainedHandle(FlattenTime()) }
}

@c @implementation
public func sinabs_unflatten_time_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                               _ batch_size: Int64) -> sinabs_status {
    guarded(out: out) { out in
        out.pointee = retainedHandle(try UnflattenTime(batchSize: try readSize(batch_size, "batch_size", 1...Int64.max)))
    }
}

private let signedLimit = -Int64(Int32.max)...Int64(Int32.max)

@c @implementation
public func sinabs_zero_pad2d_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ left: Int64,
                                           _ right: Int64, _ top: Int64, _ bottom: Int64) -> sinabs_status {
    guarded(out: out) { out in
        let padding = try [("left", left), ("right", right), ("top", top), ("bottom", bottom)]
            .map { try readSize($0.1, $0.0, signedLimit) }
        out.pointee = retainedHandle(try ZeroPad2d(padding: padding))
    }
}

@c @implementation
public func sinabs_cropping2d_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ top: Int64,
                                           _ bottom: Int64, _ left: Int64, _ right: Int64) -> sinabs_status {
    guarded(out: out) { out in
        let c = try [("top", top), ("bottom", bottom), ("left", left), ("right", right)]
            .map { try readSize($0.1, $0.0, 0...Int64(Int32.max)) }
        out.pointee = retainedHandle(try Cropping2dLayer(top: c[0], bottom: c[1], left: c[2], right: c[3]))
    }
}

@c @implementation
public func sinabs_channel_shift_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                              _ channel_shift: Int64, _ channel_axis: Int32) -> sinabs_status {
    guarded(out: out) { out in
        out.pointee = retainedHandle(try ChannelShift(channelShift: try readSize(channel_shift, "channel_shift", signedLimit),
                                                      channelAxis: Int(channel_axis)))
    }
}

@c @implementation
public func sinabs_relu_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> sinabs_status {
    guarded(out: out) { out in out.pointee = retainedHandle(ReLU()) }
}

@c @implementation
public func sinabs_dropout_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ p: Float,
                                        _ seed: UInt64) -> sinabs_status {
    guarded(out: out) { out in out.pointee = retainedHandle(try Dropout(p: p, seed: seed)) }
}

@c @implementation
public func sinabs_repeat_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                       _ module: OpaquePointer?) -> sinabs_status {
    guarded(out: out) { out in out.pointee = retainedHandle(Repeat(try layer(module))) }
}
