import CSinabs
import SinabsCore

@c @implementation
public func sinabs_model_from_ann(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ annHandle: OpaquePointer?,
                                  _ spiking_layer: UnsafePointer<sinabs_neuron_options>?, _ bias_rescaling: Float,
                                  _ add_spiking_output: Int32, _ input_shape: UnsafePointer<Int64>?,
                                  _ input_rank: Int32) -> sinabs_status {
    guarded(out: out) { out in
        var options = ConversionOptions()
        options.spikingLayer = try readOptions(spiking_layer)
        options.biasRescaling = bias_rescaling
        guard add_spiking_output == 0 || add_spiking_output == 1 else {
            throw invalid("add_spiking_output must be 0 or 1, got \(add_spiking_output)")
        }
        options.addSpikingOutput = add_spiking_output == 1
        if input_rank != 0 || input_shape != nil {
            options.inputShape = try readShape(input_shape, input_rank)
        }
        // The ANN's parameters are read while it cannot run or change.
        out.pointee = retainedHandle(try withModel(annHandle, andLayers: true) { try Conversion.fromModel($0, options: options) })
    }
}
