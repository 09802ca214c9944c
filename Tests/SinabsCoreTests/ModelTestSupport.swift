@testable import SinabsCore

/// Deterministic values in [low, high) for model tests.
func pseudoRandom(_ count: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1) -> [Float] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return range.lowerBound + Float(state >> 40) / Float(1 << 24) * (range.upperBound - range.lowerBound)
    }
}

func randomTensor(_ shape: [Int], seed: UInt64, in range: ClosedRange<Float> = -1...1) throws -> Tensor {
    try Tensor(shape: shape, values: pseudoRandom(shape.reduce(1, *), seed: seed, in: range))
}

/// Linear(in -> hidden) -> LIF -> Linear(hidden -> out) -> IAF with random
/// weights, in the plain (Batch, Time, ...) form or squeezed.
func smallSpikingModel(inputs: Int = 6, hidden: Int = 8, outputs: Int = 3, squeezeBatch: Int? = nil,
                       seed: UInt64 = 1) throws -> Sequential {
    let first = try Linear(inFeatures: inputs, outFeatures: hidden)
    try first.setParameter(named: "weight", to: try randomTensor([hidden, inputs], seed: seed, in: -0.5...1.5))
    try first.setParameter(named: "bias", to: try randomTensor([hidden], seed: seed + 1, in: 0...0.3))
    let second = try Linear(inFeatures: hidden, outFeatures: outputs, bias: false)
    try second.setParameter(named: "weight", to: try randomTensor([outputs, hidden], seed: seed + 2, in: -0.5...1))
    var lif = NeuronOptions(.lif)
    lif.tauMem = 5
    var iaf = NeuronOptions(.iaf)
    if let squeezeBatch {
        lif.form = .squeeze(batchSize: squeezeBatch, numTimesteps: nil)
        iaf.form = .squeeze(batchSize: squeezeBatch, numTimesteps: nil)
    }
    return Sequential([first, try NeuronLayer(lif), second, try NeuronLayer(iaf)])
}

func errorCode(_ body: () throws -> Void) -> SinabsError.Code? {
    do {
        try body()
        return nil
    } catch {
        return (error as? SinabsError)?.code ?? .internal
    }
}

func errorMessage(_ body: () throws -> Void) -> String {
    do {
        try body()
        return ""
    } catch {
        return (error as? SinabsError)?.message ?? "\(error)"
    }
}
