import CSinabs
import SinabsCore

func analyzer(_ handle: OpaquePointer?) throws -> SNNAnalyzer {
    guard let handle else { throw invalid("analyzer is NULL") }
    let any = Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
    guard let typed = any as? SNNAnalyzer else { throw invalid("analyzer is not a sinabs_analyzer handle") }
    return typed
}

/// Runs `body` on the analyzer with its model marked busy: the model's
/// forward writes the analyzer's counts (its observer), so they are read or
/// reset only while no forward runs.
private func withAnalyzedModel<R>(_ handle: OpaquePointer?, _ body: (SNNAnalyzer) throws -> R) throws -> R {
    let target = try analyzer(handle)
    return try Exclusive.run(target.model, "the analyzer's model") { try body(target) }
}

/// snprintf-style text out: at most `capacity` bytes incl. the NUL, the full length in `*out_length`.
func writeText(_ string: String, _ out_text: UnsafeMutablePointer<CChar>?, _ capacity: Int,
               _ out_length: UnsafeMutablePointer<Int>?) throws {
    let text = Array(string.utf8)
    guard let out_length else { throw invalid("out_length is NULL") }
    guard capacity == 0 || out_text != nil else { throw invalid("out_text is NULL with capacity \(capacity)") }
    out_length.pointee = text.count
    guard capacity > 0, let out_text else { return }
    let n = min(text.count, capacity - 1)
    for i in 0..<n { out_text[i] = CChar(bitPattern: text[i]) }
    out_text[n] = 0
}

private func averageFlag(_ value: Int32) throws -> Bool {
    guard value == 0 || value == 1 else { throw invalid("average must be 0 or 1, got \(value)") }
    return value == 1
}

@c @implementation
public func sinabs_analyzer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ modelHandle: OpaquePointer?,
                                   _ dt: Float) -> sinabs_status {
    guarded(out: out) { out in
        // Attaching sets the model's observer: not while the model runs.
        out.pointee = retainedHandle(try withModel(modelHandle) { try SNNAnalyzer($0, dt: dt) })
    }
}

@c @implementation
public func sinabs_analyzer_free(_ handle: OpaquePointer?) {
    releaseHandle(handle, as: SNNAnalyzer.self, kind: "analyzer")
}

@c @implementation
public func sinabs_analyzer_reset(_ handle: OpaquePointer?) -> sinabs_status {
    guarded { try withAnalyzedModel(handle) { $0.reset() } }
}

@c @implementation
public func sinabs_analyzer_model_statistics(_ out_firing_rate: UnsafeMutablePointer<Float>?,
                                             _ out_synops: UnsafeMutablePointer<Float>?,
                                             _ out_spiking_neurons: UnsafeMutablePointer<Int64>?,
                                             _ handle: OpaquePointer?, _ average: Int32) -> sinabs_status {
    guarded {
        guard let out_firing_rate, let out_synops, let out_spiking_neurons else { throw invalid("an output pointer is NULL") }
        let average = try averageFlag(average)
        let m = try withAnalyzedModel(handle) { $0.modelStatistics(average: average) }
        out_firing_rate.pointee = m.firingRate
        out_synops.pointee = m.synops
        out_spiking_neurons.pointee = Int64(m.spikingNeuronCount)
    }
}

@c @implementation
public func sinabs_analyzer_statistics_json(_ out_text: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                            _ out_length: UnsafeMutablePointer<Int>?, _ handle: OpaquePointer?,
                                            _ average: Int32) -> sinabs_status {
    guarded {
        let average = try averageFlag(average)
        let json = try withAnalyzedModel(handle) { $0.statisticsJSON(average: average) }
        try writeText(json, out_text, capacity, out_length)
    }
}
