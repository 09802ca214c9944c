import XCTest
@testable import SinabsCore

/// How neuron states live across calls, by example.
final class NeuronLayerStateTests: XCTestCase {
    private func iaf(_ configure: (inout NeuronOptions) -> Void = { _ in }) throws -> NeuronLayer {
        var options = NeuronOptions(.iaf)
        configure(&options)
        return try NeuronLayer(options)
    }

    func testStateIsCarriedToTheNextCall() throws {
        let layer = try iaf()
        let input = try Tensor(shape: [1, 2, 1], values: [0.6, 0.6])
        XCTAssertEqual(try layer.forward(input).scalars, [0, 1])  // 0.6, 1.2 -> spike, 0.2 left
        XCTAssertEqual(try layer.state(named: "v_mem").scalars[0], 0.2, accuracy: 1e-6)
        XCTAssertEqual(try layer.forward(input).scalars, [0, 1])  // 0.8, 1.4 -> spike, 0.4 left
        XCTAssertEqual(try layer.state(named: "v_mem").scalars[0], 0.4, accuracy: 1e-6)
    }

    func testStatesDoNotExistBeforeTheFirstForward() throws {
        let layer = try iaf()
        XCTAssertEqual(try layer.state(named: "v_mem").shape, [0])
        layer.resetStates(randomize: true)  // nothing to reset yet, like sinabs
        XCTAssertEqual(try layer.state(named: "v_mem").shape, [0])
    }

    func testNewTrailingShapeStartsFromZero() throws {
        let layer = try iaf()
        _ = try layer.forward(try Tensor(shape: [1, 1, 2], values: [0.5, 0.5]))
        XCTAssertEqual(try layer.state(named: "v_mem").scalars, [0.5, 0.5])
        _ = try layer.forward(try Tensor(shape: [1, 1, 3], values: [0.1, 0.1, 0.1]))
        XCTAssertEqual(try layer.state(named: "v_mem").shape, [1, 3])
        XCTAssertEqual(try layer.state(named: "v_mem").scalars, [0.1, 0.1, 0.1])
    }

    /// sinabs' IAF/LIF resample old states at random for a new batch size;
    /// we start from zeros, which is reproducible.
    func testNewBatchSizeStartsFromZero() throws {
        let layer = try iaf()
        _ = try layer.forward(try Tensor(shape: [1, 1, 2], values: [0.5, 0.5]))
        _ = try layer.forward(try Tensor(shape: [2, 1, 2], values: [0.1, 0.1, 0.1, 0.1]))
        XCTAssertEqual(try layer.state(named: "v_mem").shape, [2, 2])
        XCTAssertEqual(try layer.state(named: "v_mem").scalars, [0.1, 0.1, 0.1, 0.1])
    }

    func testResetStatesZeroesOrRandomisesReproducibly() throws {
        var options = NeuronOptions(.lif)
        options.tauSyn = 5
        let layer = try NeuronLayer(options)
        _ = try layer.forward(try Tensor(shape: [2, 3, 4], values: (0..<24).map { Float($0) / 24 }))
        layer.resetStates()
        XCTAssertTrue(try layer.state(named: "v_mem").scalars.allSatisfy { $0 == 0 })
        XCTAssertTrue(try layer.state(named: "i_syn").scalars.allSatisfy { $0 == 0 })

        layer.resetStates(randomize: true, ranges: ["v_mem": -2 ... -1], seed: 42)
        let v = try layer.state(named: "v_mem").scalars, i = try layer.state(named: "i_syn").scalars
        XCTAssertTrue(v.allSatisfy { (-2 ..< -1).contains($0) }, "v_mem in its range: \(v)")
        XCTAssertTrue(i.allSatisfy { (0 ..< 1).contains($0) }, "i_syn in the default range: \(i)")
        XCTAssertGreaterThan(Set(v).count, 1)

        layer.resetStates(randomize: true, ranges: ["v_mem": -2 ... -1], seed: 42)
        XCTAssertEqual(try layer.state(named: "v_mem").scalars, v, "same seed, same states")
        XCTAssertEqual(try layer.state(named: "i_syn").scalars, i)
        layer.resetStates(randomize: true, ranges: ["v_mem": -2 ... -1], seed: 43)
        XCTAssertNotEqual(try layer.state(named: "v_mem").scalars, v, "another seed, other states")
    }

    func testSetStateBeforeTheFirstForwardFixesTheShape() throws {
        let layer = try iaf()
        try layer.setState(named: "v_mem", to: try Tensor(shape: [1, 2], values: [0.9, -0.5]))
        let output = try layer.forward(try Tensor(shape: [1, 1, 2], values: [0.2, 0.2]))
        XCTAssertEqual(output.scalars, [1, 0])  // 0.9 + 0.2 crosses the threshold
        XCTAssertEqual(try layer.state(named: "v_mem").scalars[0], 0.1, accuracy: 1e-6)
        XCTAssertEqual(try layer.state(named: "v_mem").scalars[1], -0.3, accuracy: 1e-6)
    }

    func testGetStateIsTheLiveTensor() throws {
        let layer = try iaf()
        _ = try layer.forward(try Tensor(shape: [1, 1, 1], values: [0.5]))
        let state = try layer.state(named: "v_mem")
        _ = try layer.forward(try Tensor(shape: [1, 1, 1], values: [0.25]))
        XCTAssertEqual(state.scalars, [0.75])  // same storage, updated in place
        try layer.setState(named: "v_mem", to: try Tensor(shape: [1, 1], values: [0.125]))
        XCTAssertEqual(state.scalars, [0.125])
    }

    func testRecordStatesKeepsEveryStepOfTheLastCall() throws {
        var options = NeuronOptions(.alif)
        options.recordStates = true
        options.tauSyn = 2
        let layer = try NeuronLayer(options)
        let input = try Tensor(shape: [2, 5, 3], values: (0..<30).map { Float($0 % 7) / 2 })
        _ = try layer.forward(input)
        for name in ["v_mem", "i_syn", "b", "spike_threshold"] {
            let recording = try layer.recording(named: name)
            XCTAssertEqual(recording.shape, [2, 5, 3], name)
            // The last step of the recording is the state after the call.
            let last = (0..<2).flatMap { b in (0..<3).map { recording.scalars[(b * 5 + 4) * 3 + $0] } }
            XCTAssertEqual(last, try layer.state(named: name).scalars, name)
        }
        XCTAssertThrowsError(try layer.recording(named: "nope"))

        let quiet = try iaf()
        _ = try quiet.forward(input)
        XCTAssertEqual(try quiet.recording(named: "v_mem").shape, [0], "not recorded without record_states")
    }

    func testALIFThresholdStateFollowsAdaptation() throws {
        var options = NeuronOptions(.alif)
        options.tauMem = 1e-3  // membrane follows the input exactly (alpha ~ 0, norm ~ 1)
        options.tauAdapt = 4
        options.adaptScale = 2
        let layer = try NeuronLayer(options)
        XCTAssertEqual(layer.parameterNames, ["tau_mem", "tau_adapt"])
        _ = try layer.forward(try Tensor(shape: [1, 1, 1], values: [5]))
        let b = try layer.state(named: "b").scalars[0]
        XCTAssertEqual(b, 1 - expf(-1 / 4), accuracy: 1e-6)  // one spike
        XCTAssertEqual(try layer.state(named: "spike_threshold").scalars[0], 1 + 2 * b, accuracy: 1e-6)
    }

    func testFiringRateIsTheMeanOutput() throws {
        let layer = try iaf()
        _ = try layer.forward(try Tensor(shape: [1, 4, 1], values: [2.5, 0, 0, 0]))
        XCTAssertEqual(layer.firingRate, 0.5)  // 2 spikes over 4 steps
        let leak = try NeuronLayer(NeuronOptions(.expLeak))
        let out = try leak.forward(try Tensor(shape: [1, 2, 2], values: [1, 2, 3, 4]))
        XCTAssertEqual(leak.firingRate, out.scalars.reduce(0, +) / 4, accuracy: 1e-6)
    }

    /// The squeeze forms share the dynamics: (B*T, ...) in, same as (B, T, ...).
    func testSqueezeFormMatchesThePlainForm() throws {
        let values = (0..<24).map { Float(($0 * 7) % 11) / 5 }
        let plain = try NeuronLayer(NeuronOptions(.lif))
        var squeezed = NeuronOptions(.lif)
        squeezed.form = .squeeze(batchSize: 2, numTimesteps: nil)
        let squeeze = try NeuronLayer(squeezed)
        let a = try plain.forward(try Tensor(shape: [2, 4, 3], values: values))
        let b = try squeeze.forward(try Tensor(shape: [8, 3], values: values))
        XCTAssertEqual(b.shape, [8, 3])
        XCTAssertEqual(a.scalars, b.scalars)
        XCTAssertEqual(try squeeze.state(named: "v_mem").shape, [2, 3])
    }
}

/// Options that sinabs' IAF does not have are ignored, not misapplied.
final class NeuronOptionsTests: XCTestCase {
    func testIAFIgnoresNormInputAndTrainAlphas() throws {
        var options = NeuronOptions(.iaf)
        options.tauSyn = 2
        options.normInput = true  // (1 - alpha) with alpha = 1 would zero every input
        options.trainAlphas = true
        let layer = try NeuronLayer(options)
        XCTAssertEqual(layer.parameterNames, ["tau_syn", "spike_threshold"])
        let out = try layer.forward(try Tensor(shape: [1, 2, 1], values: [4, 0]))
        // i_syn = e^-0.5 * 4 = 2.43: 2 spikes, 0.43 left; then 0.43 + 1.47 = 1.90: 1 spike.
        XCTAssertEqual(out.scalars, [2, 1])
    }

    func testDefaultsAreSinabs() {
        XCTAssertEqual(NeuronOptions(.alif).spikeFunction, .single)
        XCTAssertEqual(NeuronOptions(.lif).spikeFunction, .multi)
        XCTAssertTrue(NeuronOptions(.lif).normInput)
        XCTAssertFalse(NeuronOptions(.expLeak).normInput)
        XCTAssertEqual(NeuronOptions(.alif).adaptScale, 1.8)
        XCTAssertEqual(NeuronOptions(.iaf).stateNames, ["v_mem"])
        var alif = NeuronOptions(.alif)
        alif.tauSyn = 1
        XCTAssertEqual(alif.stateNames, ["v_mem", "i_syn", "b", "spike_threshold"])
    }
}

/// Large calls split over threads (dynamically claimed blocks of neurons):
/// the result must not depend on the split.
final class NeuronThreadingTests: XCTestCase {
    func testThreadsGiveTheSameResultAsOneThread() throws {
        let saved = Threads.count
        defer { Threads.count = saved }
        let shape = [4, 20, 5000]  // 4 samples x 5 blocks of neurons: worth threads
        let count = 4 * 20 * 5000
        let values: [Float] = (0..<count).map { (k: Int) -> Float in Float((k * 7919) % 1000) / 400 }
        let input = try Tensor(shape: shape, values: values)
        func run(_ threads: Int) throws -> ([Float], [Float], [Float], Float) {
            Threads.count = threads
            var options = NeuronOptions(.alif)
            options.tauSyn = 4
            options.spikeFunction = .multi
            let layer = try NeuronLayer(options)
            let out = try layer.forward(input).scalars
            return (out, try layer.state(named: "v_mem").scalars, try layer.state(named: "b").scalars,
                    layer.firingRate)
        }
        let one = try run(1)
        XCTAssertGreaterThan(one.3, 0)
        for threads in [2, 3, 7] {
            let many = try run(threads)
            XCTAssertEqual(many.0, one.0, "output, \(threads) threads")
            XCTAssertEqual(many.1, one.1, "v_mem, \(threads) threads")
            XCTAssertEqual(many.2, one.2, "b, \(threads) threads")
            XCTAssertEqual(many.3, one.3, "firing rate, \(threads) threads")
        }
    }
}
