// SinabsCore used natively from Swift: an IAF and a LIF layer on the same
// generated input currents; prints the spike counts. Run: swift run --scratch-path .build-x sinabs-swift-example
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SinabsCore

let batch = 4, steps = 50, neurons = 32

/// Reproducible input currents in [0, 0.5): a small linear congruential generator.
func generatedInput() throws -> Tensor {
    var seed: UInt64 = 1
    let values = (0..<batch * steps * neurons).map { _ -> Float in
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Float(seed >> 40) / Float(1 << 24) * 0.5
    }
    return try Tensor(shape: [batch, steps, neurons], values: values)
}

func report(_ name: String, _ layer: NeuronLayer, _ input: Tensor) throws {
    let spikes = try layer.forward(input)
    let total = spikes.scalars.reduce(0, +)
    let perSample = (0..<batch).map { b in
        spikes.scalars[(b * steps * neurons)..<((b + 1) * steps * neurons)].reduce(0, +)
    }
    let vMem = try layer.state(named: "v_mem").scalars
    print("\(name): \(Int(total)) spikes, per sample \(perSample.map { Int($0) }), "
          + "firing rate \(layer.firingRate), v_mem[0] after \(steps) steps \(vMem[0])")
}

do {
    let input = try generatedInput()
    print("input (\(batch), \(steps), \(neurons)), mean current \(input.scalars.reduce(0, +) / Float(input.count))")
    try report("IAF", NeuronLayer(NeuronOptions(.iaf)), input)
    // With norm_input (the default) a LIF neuron settles at the mean input
    // (0.25 < threshold) and never fires; without it the input accumulates
    // up to tau_mem times, as sinabs.layers.LIF(norm_input=False).
    var lif = NeuronOptions(.lif)
    lif.tauMem = 20
    lif.normInput = false
    try report("LIF (tau_mem 20, norm_input off)", NeuronLayer(lif), input)
} catch {
    print("sinabs-swift-example failed: \(error)")
    exit(1)
}
