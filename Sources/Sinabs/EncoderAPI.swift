import CSinabs
import SinabsCore

// Creates of the input encoders and quantising activations (driven by the
// generic sinabs_layer_* verbs), the raw draw stream and event binning.

/// A C bool: any non-zero value is true.
private func flag(_ value: Int32) -> Bool { value != 0 }

@c @implementation
public func sinabs_img2spike_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ tw: Int64,
                                          _ max_rate: Float, _ norm: Float, _ squeeze: Int32,
                                          _ negative_spikes: Int32, _ seed: UnsafePointer<UInt64>?) -> sinabs_status {
    guarded(out: out) { out in
        out.pointee = retainedHandle(try Img2SpikeLayer(tw: try readSize(tw, "tw"), maxRate: max_rate, norm: norm,
                                                        squeeze: flag(squeeze), negativeSpikes: flag(negative_spikes),
                                                        seed: seed?.pointee))
    }
}

@c @implementation
public func sinabs_sig2spike_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ channels_in: Int64,
                                          _ tw: Int64, _ norm_level: Float, _ spk_out: Int32,
                                          _ seed: UnsafePointer<UInt64>?) -> sinabs_status {
    guarded(out: out) { out in
        out.pointee = retainedHandle(try Sig2SpikeLayer(channelsIn: try readSize(channels_in, "channels_in", 0...Int64.max),
                                                        tw: try readSize(tw, "tw"), normLevel: norm_level,
                                                        spkOut: flag(spk_out), seed: seed?.pointee))
    }
}

@c @implementation
public func sinabs_neuromorphic_relu_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ quantize: Int32,
                                                  _ fanout: Int64, _ stochastic_rounding: Int32,
                                                  _ seed: UnsafePointer<UInt64>?) -> sinabs_status {
    guarded(out: out) { out in
        out.pointee = retainedHandle(NeuromorphicReLU(quantize: flag(quantize), fanout: Int(fanout),
                                                      stochasticRounding: flag(stochastic_rounding), seed: seed?.pointee))
    }
}

@c @implementation
public func sinabs_quantize_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ quantize: Int32) -> sinabs_status {
    guarded(out: out) { out in out.pointee = retainedHandle(QuantizeLayer(quantize: flag(quantize))) }
}

@c @implementation
public func sinabs_uniform_draws(_ out: UnsafeMutablePointer<Float>?, _ count: Int64, _ seed: UInt64,
                                 _ first_draw: UInt64) -> sinabs_status {
    guarded {
        let n = try readSize(count, "count", 0...Int64.max)
        guard n > 0 else { return }
        guard let out else { throw invalid("out is NULL") }
        UniformDraws.fill(UnsafeMutableBufferPointer(start: out, count: n), seed: seed, firstDraw: first_draw)
    }
}

/// A C array of `count` entries as a buffer (NULL allowed only when empty).
private func buffer<T>(_ pointer: UnsafePointer<T>?, _ count: Int, _ name: String) throws -> UnsafeBufferPointer<T> {
    guard count > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
    guard let pointer else { throw invalid("\(name) is NULL for \(count) events") }
    return UnsafeBufferPointer(start: pointer, count: count)
}

@c @implementation
public func sinabs_events_to_frames(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ t: UnsafePointer<Double>?,
                                    _ x: UnsafePointer<Int32>?, _ y: UnsafePointer<Int32>?,
                                    _ p: UnsafePointer<Int32>?, _ count: Int64, _ height: Int64, _ width: Int64,
                                    _ n_time_bins: Int64, _ time_window: Double,
                                    _ t_start: UnsafePointer<Double>?) -> sinabs_status {
    guarded(out: out) { out in
        let n = try readSize(count, "count", 0...Int64.max)
        let binning: EventBinning
        switch (n_time_bins, time_window) {
        case (let bins, 0) where bins != 0: binning = .timeBins(try readSize(bins, "n_time_bins", 1...Int64(Int32.max)))
        case (0, let window) where window != 0: binning = .window(window)
        default: throw invalid("give exactly one of n_time_bins (>= 1) and time_window (> 0), got \(n_time_bins) and \(time_window)")
        }
        out.pointee = retainedHandle(try EventFrames.frames(
            t: try buffer(t, n, "t"), x: try buffer(x, n, "x"), y: try buffer(y, n, "y"), p: try buffer(p, n, "p"),
            height: try readSize(height, "height"), width: try readSize(width, "width"),
            binning: binning, tStart: t_start?.pointee))
    }
}
