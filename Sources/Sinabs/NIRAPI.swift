import CSinabs
import SinabsCore

@c @implementation
public func sinabs_nir_options_init(_ options: UnsafeMutablePointer<sinabs_nir_options>?) -> sinabs_status {
    guarded {
        guard let options else { throw invalid("options is NULL") }
        options.pointee = defaultNIROptions()
    }
}

func defaultNIROptions() -> sinabs_nir_options {
    var c = sinabs_nir_options()
    c.struct_size = UInt32(MemoryLayout<sinabs_nir_options>.size)
    return c
}

/// The caller's options as the core's, each field checked.
func readNIROptions(_ pointer: UnsafePointer<sinabs_nir_options>?) throws -> NIRImportOptions {
    let c = try readStruct(pointer, defaults: defaultNIROptions(),
                           required: MemoryLayout<sinabs_nir_options>.offset(of: \.dt)!, "sinabs_nir_options")
    var options = NIRImportOptions()
    options.batchSize = c.batch_size == 0 ? nil : try readSize(c.batch_size, "batch_size")
    options.numTimesteps = c.num_timesteps == 0 ? nil : try readSize(c.num_timesteps, "num_timesteps")
    guard options.batchSize != nil || options.numTimesteps != nil else {
        throw invalid("give batch_size or num_timesteps (the model runs on (Batch*Time, ...) input)")
    }
    guard c.dt == 0 || (c.dt.isFinite && c.dt > 0) else { throw invalid("dt must be 0 or a finite number > 0, got \(c.dt)") }
    options.dt = c.dt == 0 ? nil : c.dt
    options.resetToZero = try readFlag(c.reset_to_zero, "reset_to_zero")
    options.singleSpike = try readFlag(c.single_spike, "single_spike")
    return options
}

@c @implementation
public func sinabs_model_load_nir(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ path: UnsafePointer<CChar>?,
                                  _ options: UnsafePointer<sinabs_nir_options>?) -> sinabs_status {
    guarded(out: out) { out in
        guard let path else { throw invalid("path is NULL") }
        let importOptions = try readNIROptions(options)
        out.pointee = retainedHandle(try Sequential(nirFile: String(cString: path), options: importOptions))
    }
}

@c @implementation
public func sinabs_model_save_nir(_ handle: OpaquePointer?, _ path: UnsafePointer<CChar>?,
                                  _ input_shape: UnsafePointer<Int64>?, _ input_rank: Int32) -> sinabs_status {
    guarded {
        guard let path else { throw invalid("path is NULL") }
        let file = String(cString: path), shape = try readShape(input_shape, input_rank)
        try withModel(handle, andLayers: true) { try $0.writeNIR(to: file, inputShape: shape) }
    }
}
