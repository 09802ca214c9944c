import XCTest
@testable import SinabsCore

/// Sequential's fast paths for conv SNNs give the plain paths' numbers: fused
/// inference blocks (Conv2d -> squeeze neuron -> SumPool2d, frame by frame)
/// equal the layers run one by one (outputs, states, firing rates, over
/// consecutive calls); the event-driven weight gradient equals the dense one;
/// backwardParameters accumulates what backward does.
final class ConvFastPathTests: XCTestCase {
    /// Conv2d -> squeeze neuron -> (SumPool2d) twice, then Flatten -> Linear -> IAF.
    private func convSNN(batch: Int, trial: Int, pool: Bool, seed: UInt64) throws -> [Layer] {
        let groups = trial % 3 == 2 ? 2 : 1, stride = trial % 4 == 3 ? 2 : 1
        var iaf = NeuronOptions(.iaf)
        iaf.form = .squeeze(batchSize: batch, numTimesteps: nil)
        var lif = NeuronOptions(.lif)
        lif.tauMem = 4
        lif.form = .squeeze(batchSize: batch, numTimesteps: nil)
        if trial % 2 == 1 { lif.spikeFunction = .single }
        let first = try Conv2d(inChannels: 2, outChannels: 4, kernelSize: Pair2d(3), padding: Pair2d(1),
                               bias: trial % 2 == 0, seed: seed)
        let second = try Conv2d(inChannels: 4, outChannels: 6, kernelSize: Pair2d(3), stride: Pair2d(stride),
                                padding: Pair2d(1), groups: groups, bias: true, seed: seed + 1)
        second.kernelChoice = .sparse  // fused whatever the first block's spike density
        for conv in [first, second] {
            conv.weight.withUnsafeMutableBufferPointer { w in for i in w.indices { w[i] *= 3 } }
        }
        var layers: [Layer] = [first, try NeuronLayer(iaf)]
        if pool { layers.append(try SumPool2d(kernelSize: Pair2d(2))) }
        layers += [second, try NeuronLayer(lif)]
        if pool { layers.append(try SumPool2d(kernelSize: Pair2d(2))) }
        return layers
    }

    private func spikes(_ shape: [Int], density: Int, seed: UInt64) throws -> Tensor {
        var generator = SplitMix64(seed: seed)
        let input = try Tensor(zeros: shape)
        input.withUnsafeMutableBufferPointer { x in
            for i in x.indices where Int.random(in: 0..<100, using: &generator) < density { x[i] = 1 }
        }
        return input
    }

    func testFusedBlocksEqualTheLayersOneByOne() throws {
        for trial in 0..<8 {
            let batch = 1 + trial % 3, pool = trial != 5
            let fusedLayers = try convSNN(batch: batch, trial: trial, pool: pool, seed: UInt64(trial))
            let plainLayers = try convSNN(batch: batch, trial: trial, pool: pool, seed: UInt64(trial))
            let model = Sequential(fusedLayers)
            for call in 0..<2 {  // states carry over between calls
                let input = try spikes([batch * 5, 2, 12, 12], density: 6, seed: UInt64(10 * trial + call))
                let fused = try model.forward(input)
                XCTAssertEqual(model.lastFusedBlocks, 2, "trial \(trial)")
                var plain = input
                for layer in plainLayers { plain = try layer.forward(plain) }
                XCTAssertEqual(fused.shape, plain.shape)
                XCTAssertEqual(fused.scalars, plain.scalars, "trial \(trial) call \(call)")
                for (a, b) in zip(fusedLayers, plainLayers) {
                    if let conv = a as? Conv2d { XCTAssertEqual(conv.lastKernel, .sparse) }
                    guard let a = a as? NeuronLayer, let b = b as? NeuronLayer else { continue }
                    XCTAssertEqual(a.firingRate, b.firingRate, "trial \(trial)")
                    for name in a.stateNames {
                        XCTAssertEqual(try a.state(named: name).scalars, try b.state(named: name).scalars, name)
                    }
                }
            }
            XCTAssertGreaterThan((fusedLayers[1] as? NeuronLayer)?.firingRate ?? 0, 0)
        }
    }

    /// Consecutive fused blocks whose frames suit it pass them on
    /// channels-last (no transpose in between); the numbers stay those of the
    /// layers one by one, also where the next block then finds its input
    /// too dense to fuse and the frames go back to planes.
    func testFusedBlocksHandFramesOnChannelsLast() throws {
        var iaf = NeuronOptions(.iaf)
        iaf.form = .squeeze(batchSize: 2, numTimesteps: nil)
        func model(_ pools: [Int?], channels: [Int], drive: Float, seed: UInt64) throws -> [Layer] {
            var layers: [Layer] = []
            var inputs = 2
            for (k, (pool, outputs)) in zip(pools, channels).enumerated() {
                let conv = try Conv2d(inChannels: inputs, outChannels: outputs, kernelSize: Pair2d(3),
                                      padding: Pair2d(1), bias: true, seed: seed + UInt64(k))
                conv.weight.withUnsafeMutableBufferPointer { w in for i in w.indices { w[i] *= 3 } }
                conv.bias?.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] += drive } }
                layers += [conv, try NeuronLayer(iaf)]
                if let pool { layers.append(try SumPool2d(kernelSize: Pair2d(pool))) }
                inputs = outputs
            }
            return layers
        }
        // (pools, channels, bias added, hand-offs, fused blocks)
        let cases: [([Int?], [Int], Float, Int, Int)] = [
            ([2, 2, 2], [16, 32, 32], 0, 2, 3),    // workload B's shape
            ([nil, 2, nil], [8, 24, 16], 0, 2, 3),  // no pool, 8-wide vectors
            ([3, 2, nil], [16, 16, 8], 0, 1, 3),    // a 3x3 pool writes planes
            ([2, 2], [16, 40], 0, 0, 2),            // more than 32 channels: planes
            ([nil, 2], [16, 16], 5, 1, 1),          // every neuron fires: the next block is dense
        ]
        for (number, (pools, channels, drive, handOffs, fused)) in cases.enumerated() {
            let seed = UInt64(20 + number)
            let fusedLayers = try model(pools, channels: channels, drive: drive, seed: seed)
            let plainLayers = try model(pools, channels: channels, drive: drive, seed: seed)
            let sequential = Sequential(fusedLayers)
            for call in 0..<2 {
                let input = try spikes([2 * 4, 2, 16, 16], density: 8, seed: UInt64(100 * number + call))
                let output = try sequential.forward(input)
                XCTAssertEqual(sequential.lastFusedBlocks, fused, "case \(number)")
                XCTAssertEqual(sequential.lastChannelsLastHandOffs, handOffs, "case \(number)")
                var plain = input
                for layer in plainLayers {
                    (layer as? Conv2d)?.kernelChoice = isSparse(plain) ? .sparse : .dense
                    plain = try layer.forward(plain)
                }
                XCTAssertEqual(output.shape, plain.shape)
                XCTAssertEqual(output.scalars, plain.scalars, "case \(number) call \(call)")
                for (a, b) in zip(fusedLayers, plainLayers) {
                    guard let a = a as? NeuronLayer, let b = b as? NeuronLayer else { continue }
                    XCTAssertEqual(a.firingRate, b.firingRate, "case \(number)")
                    XCTAssertEqual(try a.state(named: "v_mem").scalars, try b.state(named: "v_mem").scalars)
                }
            }
        }
    }

    /// The block's own crossover: fused below 75% non-zero inputs.
    private func isSparse(_ x: Tensor) -> Bool {
        x.scalars.filter { $0 != 0 }.count < Int(0.75 * Float(x.count))
    }

    /// Training, dense inputs, observers and recordings run the layers one by one.
    func testFusionOnlyWhereItApplies() throws {
        let model = Sequential(try convSNN(batch: 2, trial: 0, pool: true, seed: 3))
        let sparse = try spikes([10, 2, 12, 12], density: 5, seed: 1)
        _ = try model.forward(sparse)
        XCTAssertEqual(model.lastFusedBlocks, 2)
        _ = try model.forward(try spikes([10, 2, 12, 12], density: 90, seed: 1))
        XCTAssertEqual(model.lastFusedBlocks, 1)  // the first block's input is dense
        model.training = true
        _ = try model.forward(sparse)
        XCTAssertEqual(model.lastFusedBlocks, 0)
        model.training = false
        model.forwardObserver = { _, _, _, _ in }
        _ = try model.forward(sparse)
        XCTAssertEqual(model.lastFusedBlocks, 0)
        model.forwardObserver = nil
        (model.layers[0] as? Conv2d)?.kernelChoice = .dense
        _ = try model.forward(sparse)
        XCTAssertEqual(model.lastFusedBlocks, 1)
        var recording = NeuronOptions(.iaf)
        recording.form = .squeeze(batchSize: 2, numTimesteps: nil)
        recording.recordStates = true
        let recorded = Sequential([try Conv2d(inChannels: 2, outChannels: 3, kernelSize: Pair2d(3)),
                                   try NeuronLayer(recording)])
        _ = try recorded.forward(sparse)
        XCTAssertEqual(recorded.lastFusedBlocks, 0)
    }

    func testSparseWeightGradientEqualsDense() throws {
        var generator = SplitMix64(seed: 5)
        for trial in 0..<12 {
            let groups = trial % 3 == 0 ? 2 : 1
            let conv = try Conv2d(inChannels: 2 * groups, outChannels: 3 * groups, kernelSize: Pair2d(1 + trial % 3, 3),
                                  stride: Pair2d(1 + trial % 2), padding: Pair2d(trial % 2, 1),
                                  dilation: Pair2d(1 + trial / 6, 1), groups: groups, bias: trial % 2 == 0,
                                  seed: UInt64(trial))
            let input = try spikes([3, 2 * groups, 9, 10], density: 8, seed: UInt64(trial))
            conv.training = true
            var results: [(Tensor, Tensor)] = []
            var gradOutput: Tensor?
            for choice in [ConvKernelChoice.dense, .sparse] {
                conv.kernelChoice = choice
                conv.zeroGrad()
                let output = try conv.forward(input)
                if gradOutput == nil {
                    gradOutput = try Tensor(zeros: output.shape)
                    gradOutput?.fillUniform(-1...1, using: &generator)
                }
                let gradInput = try conv.backward(try XCTUnwrap(gradOutput))
                results.append((try gradInput.copy(), try conv.gradient(named: "weight")))
            }
            assertClose(results[1].0, results[0].0, rtol: 1e-5, atol: 1e-5, "input gradient, trial \(trial)")
            assertClose(results[1].1, results[0].1, rtol: 1e-5, atol: 1e-5, "weight gradient, trial \(trial)")
        }
    }

    func testBackwardParametersAccumulatesWhatBackwardDoes() throws {
        for first in ["conv", "linear"] {
            var gradients: [[String: [Float]]] = []
            for parametersOnly in [false, true] {
                let model: Sequential
                let input: Tensor
                if first == "conv" {
                    model = Sequential(try convSNN(batch: 2, trial: 0, pool: true, seed: 7))
                    input = try spikes([10, 2, 12, 12], density: 5, seed: 2)
                } else {
                    model = try smallSpikingModel(squeezeBatch: 2)
                    input = try randomTensor([10, 6], seed: 4, in: 0...1)
                }
                model.training = true
                let output = try model.forward(input)
                let ones = try Tensor(shape: output.shape, values: .init(repeating: 1, count: output.count))
                if parametersOnly {
                    try model.backwardParameters(ones)
                } else {
                    XCTAssertEqual(try model.backward(ones).shape, input.shape)
                }
                var named: [String: [Float]] = [:]
                for entry in try model.namedGradients() { named[entry.name] = entry.gradient.scalars }
                gradients.append(named)
                XCTAssertThrowsError(try model.backwardParameters(ones))  // one backward per forward
            }
            XCTAssertEqual(Set(gradients[0].keys), Set(gradients[1].keys))
            XCTAssertFalse(gradients[0].isEmpty)
            for (name, values) in gradients[0] {
                XCTAssertEqual(values, gradients[1][name], "\(first) \(name)")
            }
        }
    }
}
