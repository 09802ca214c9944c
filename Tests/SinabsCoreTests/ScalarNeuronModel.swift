#if canImport(Glibc)
import Glibc
#endif
@testable import SinabsCore

/// An independent, one-neuron-at-a-time model of sinabs' neuron dynamics,
/// written from sinabs' functional/lif.py and alif.py without any code of the
/// library: the yardstick for rules the reference cases cannot check
/// (MembraneReset with a reset value) and for telling ambiguous spikes apart.
struct ScalarNeuronModel {
    var options: NeuronOptions
    var alphaMem: Float = 1, alphaSyn: Float = 1, alphaAdapt: Float = 1
    /// spike_threshold, or b0 for ALIF.
    var threshold: Float
    var minVMem: Float?
    /// rec_connect.weight (N x N, row-major) for recurrent forms.
    var weight: [Float]?
    /// rec_connect.bias (N), added to the feedback from step 1 on.
    var bias: [Float]?
    /// MembraneReset as sinabs computes it: v * (spikes == 0) + reset_value.
    var sinabsMembraneReset = false

    struct Result {
        var output: [Float]
        /// The membrane at each step after the input, before spike and reset.
        var preSpike: [Float]
        /// The threshold used at each step.
        var thresholdUsed: [Float]
        var states: [String: [Float]]
        var recordings: [String: [Float]]
    }

    init(_ options: NeuronOptions) {
        self.options = options
        threshold = options.spikeThreshold
        minVMem = options.minVMem
        func decay(_ tau: Float) -> Float { expf(-1 / tau) }
        if options.model != .iaf { alphaMem = decay(options.tauMem) }
        if let tauSyn = options.tauSyn { alphaSyn = decay(tauSyn) }
        if options.model == .alif { alphaAdapt = decay(options.tauAdapt) }
    }

    func spikes(_ v: Float, _ thr: Float) -> Float {
        switch options.spikeFunction {
        case .single: return v - thr >= 0 ? 1 : 0
        case .multi: return v > 0 ? (v / thr).rounded(.towardZero) : 0
        case .max(let m): return min(v > 0 ? (v / thr).rounded(.towardZero) : 0, Float(m))
        }
    }

    /// Runs (batch, time, neurons) from the given states (zeros when absent).
    func run(_ input: [Float], batch: Int, time: Int, neurons: Int,
             initial: [String: [Float]] = [:]) -> Result {
        let names = options.stateNames
        var state = [String: [Float]]()
        for name in names { state[name] = initial[name] ?? [Float](repeating: 0, count: batch * neurons) }
        var result = Result(output: [], preSpike: [], thresholdUsed: [], states: [:], recordings: [:])
        let total = batch * time * neurons
        result.output = [Float](repeating: 0, count: total)
        result.preSpike = result.output
        result.thresholdUsed = result.output
        for name in names { result.recordings[name] = [Float](repeating: 0, count: total) }
        let adaptive = options.model == .alif, fires = options.model != .expLeak
        for b in 0..<batch {
            var previous = [Float](repeating: 0, count: neurons)
            for t in 0..<time {
                var feedback = [Float](repeating: 0, count: neurons)
                if let weight {
                    for n in 0..<neurons {
                        var sum: Float = 0
                        for k in 0..<neurons { sum += weight[n * neurons + k] * previous[k] }
                        feedback[n] = t > 0 ? sum + (bias?[n] ?? 0) : 0
                    }
                }
                for n in 0..<neurons {
                    let s = b * neurons + n, at = (b * time + t) * neurons + n
                    let x = input[at] + feedback[n]
                    var i = options.tauSyn != nil ? alphaSyn * (state["i_syn"]![s] + x) : x
                    var synapticInput = i
                    if options.normInput {
                        synapticInput = (1 - alphaMem) * i
                        if adaptive { i = synapticInput }  // ALIF stores the normalised current
                    }
                    if options.tauSyn != nil { state["i_syn"]![s] = i }
                    var v = alphaMem * state["v_mem"]![s] + synapticInput
                    result.preSpike[at] = v
                    var out = v
                    if fires {
                        let thr = adaptive ? threshold + options.adaptScale * state["b"]![s] : threshold
                        result.thresholdUsed[at] = thr
                        let count = spikes(v, thr)
                        switch options.reset {
                        case .subtract(let value): v = v - count * (value ?? thr)
                        case .membrane(let value):
                            v = sinabsMembraneReset ? v * (count == 0 ? 1 : 0) + value : (count > 0 ? value : v)
                        }
                        if adaptive {
                            let bNext = alphaAdapt * state["b"]![s] + (1 - alphaAdapt) * count
                            state["b"]![s] = bNext
                            state["spike_threshold"]![s] = threshold + options.adaptScale * bNext
                        }
                        out = count
                    }
                    if let minVMem { v = max(v - minVMem, 0) + minVMem }
                    state["v_mem"]![s] = v
                    result.output[at] = out
                    previous[n] = out
                    for name in names { result.recordings[name]![at] = state[name]![s] }
                }
            }
        }
        result.states = state
        return result
    }
}
