import CSinabs
import SinabsCore

@c @implementation
public func sinabs_neuron_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                       _ options: UnsafePointer<sinabs_neuron_options>?) -> sinabs_status {
    guarded(out: out) { out in
        out.pointee = retainedHandle(try NeuronLayer(try readOptions(options)))
    }
}

@c @implementation
public func sinabs_linear_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                       _ in_features: Int64, _ out_features: Int64,
                                       _ bias: Int32) -> sinabs_status {
    guarded(out: out) { out in
        guard in_features >= 1, out_features >= 1,
              in_features <= Int64(Int32.max), out_features <= Int64(Int32.max) else {
            throw invalid("features must be in 1...\(Int32.max), got \(in_features) -> \(out_features)")
        }
        out.pointee = retainedHandle(try Linear(inFeatures: Int(in_features),
                                                outFeatures: Int(out_features), bias: bias != 0))
    }
}

@c @implementation
public func sinabs_layer_free(_ layer: OpaquePointer?) {
    releaseHandle(layer, as: LayerObject.self, kind: "layer")
}

@c @implementation
public func sinabs_layer_forward(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ handle: OpaquePointer?,
                                 _ input: OpaquePointer?) -> sinabs_status {
    guarded(out: out) { out in
        let input = try tensor(input, "input")
        out.pointee = try withLayer(handle) { retainedHandle(try $0.forward(input)) }
    }
}

@c @implementation
public func sinabs_layer_forward_into(_ output: OpaquePointer?, _ handle: OpaquePointer?,
                                      _ input: OpaquePointer?) -> sinabs_status {
    guarded {
        let input = try tensor(input, "input"), output = try tensor(output, "output")
        try withLayer(handle) { try $0.forward(input, into: output) }
    }
}

@c @implementation
public func sinabs_layer_reset_states(_ handle: OpaquePointer?, _ randomize: Int32,
                                      _ names: UnsafePointer<UnsafePointer<CChar>?>?,
                                      _ lows: UnsafePointer<Float>?, _ highs: UnsafePointer<Float>?,
                                      _ count: Int32, _ seed: UInt64) -> sinabs_status {
    guarded { try withLayer(handle) { layer in
        guard count >= 0 else { throw invalid("count is negative (\(count))") }
        var ranges: [String: ClosedRange<Float>] = [:]
        if count > 0 {
            guard let names, let lows, let highs else { throw invalid("names, lows or highs is NULL") }
            for i in 0..<Int(count) {
                let name = try readName(names[i])
                guard layer.stateNames.contains(name) else {
                    throw SinabsError(.notFound, "layer has no state named '\(name)'")
                }
                // The width must be finite too: low + u * inf would give NaN and inf.
                guard lows[i].isFinite, highs[i].isFinite, lows[i] <= highs[i],
                      (highs[i] - lows[i]).isFinite else {
                    throw invalid("range of \(name) must be finite with low <= high")
                }
                ranges[name] = lows[i]...highs[i]
            }
        }
        layer.resetStates(randomize: randomize != 0, ranges: ranges, seed: seed)
    } }
}

@c @implementation
public func sinabs_layer_state_count(_ out_count: UnsafeMutablePointer<Int32>?,
                                     _ handle: OpaquePointer?) -> sinabs_status {
    guarded { try write(Int32(try withLayer(handle) { $0.stateNames.count }), to: out_count, "out_count") }
}

@c @implementation
public func sinabs_layer_state_name(_ out_name: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                    _ handle: OpaquePointer?, _ index: Int32) -> sinabs_status {
    guarded {
        let names = try withLayer(handle) { $0.stateNames }
        guard index >= 0, Int(index) < names.count else {
            throw invalid("state index \(index) is outside 0..<\(names.count)")
        }
        try write(staticName(names[Int(index)]), to: out_name, "out_name")
    }
}

@c @implementation
public func sinabs_layer_get_state(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ handle: OpaquePointer?,
                                   _ name: UnsafePointer<CChar>?) -> sinabs_status {
    guarded(out: out) { out in
        let name = try readName(name)
        out.pointee = try withLayer(handle) { retainedHandle(try $0.state(named: name)) }
    }
}

@c @implementation
public func sinabs_layer_set_state(_ handle: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                   _ value: OpaquePointer?) -> sinabs_status {
    guarded {
        let name = try readName(name), value = try tensor(value, "value")
        try withLayer(handle) { try $0.setState(named: name, to: value) }
    }
}

@c @implementation
public func sinabs_layer_get_recording(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                       _ handle: OpaquePointer?,
                                       _ name: UnsafePointer<CChar>?) -> sinabs_status {
    guarded(out: out) { out in
        let name = try readName(name)
        out.pointee = try withNeuronLayer(handle) { retainedHandle(try $0.recording(named: name)) }
    }
}

@c @implementation
public func sinabs_layer_firing_rate(_ out_rate: UnsafeMutablePointer<Float>?,
                                     _ handle: OpaquePointer?) -> sinabs_status {
    guarded { try write(try withNeuronLayer(handle) { $0.firingRate }, to: out_rate, "out_rate") }
}

@c @implementation
public func sinabs_layer_parameter_count(_ out_count: UnsafeMutablePointer<Int32>?,
                                         _ handle: OpaquePointer?) -> sinabs_status {
    guarded { try write(Int32(try withLayer(handle) { $0.parameterNames.count }), to: out_count, "out_count") }
}

@c @implementation
public func sinabs_layer_parameter_name(_ out_name: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                        _ handle: OpaquePointer?, _ index: Int32) -> sinabs_status {
    guarded {
        let names = try withLayer(handle) { $0.parameterNames }
        guard index >= 0, Int(index) < names.count else {
            throw invalid("parameter index \(index) is outside 0..<\(names.count)")
        }
        try write(staticName(names[Int(index)]), to: out_name, "out_name")
    }
}

@c @implementation
public func sinabs_layer_get_parameter(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                       _ handle: OpaquePointer?,
                                       _ name: UnsafePointer<CChar>?) -> sinabs_status {
    guarded(out: out) { out in
        let name = try readName(name)
        out.pointee = try withLayer(handle) { retainedHandle(try $0.parameter(named: name)) }
    }
}

@c @implementation
public func sinabs_layer_set_parameter(_ handle: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                       _ value: OpaquePointer?) -> sinabs_status {
    guarded {
        let name = try readName(name), value = try tensor(value, "value")
        try withLayer(handle) { try $0.setParameter(named: name, to: value) }
    }
}
