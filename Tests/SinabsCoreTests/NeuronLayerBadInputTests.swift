import XCTest
@testable import SinabsCore

/// Wrong input is an error with a clear message, never a trap, and leaves the
/// layer as it was.
final class NeuronLayerBadInputTests: XCTestCase {
    /// A LIF layer with tau_syn that has run once: states (2, 3) with values.
    private func primedLayer(_ form: NeuronForm = .plain) throws -> NeuronLayer {
        var options = NeuronOptions(.lif)
        options.tauSyn = 3
        options.form = form
        let layer = try NeuronLayer(options)
        let input: Tensor
        switch form {
        case .squeeze: input = try Tensor(shape: [8, 3], values: (0..<24).map { Float($0) / 10 })
        default: input = try Tensor(shape: [2, 4, 3], values: (0..<24).map { Float($0) / 10 })
        }
        _ = try layer.forward(input)
        return layer
    }

    private func snapshot(_ layer: NeuronLayer) throws -> [String: [Float]] {
        var states: [String: [Float]] = [:]
        for name in layer.stateNames { states[name] = try layer.state(named: name).scalars }
        return states
    }

    private func assertFails(_ code: SinabsError.Code, _ message: String, _ body: () throws -> Void,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let error = error as? SinabsError
            XCTAssertEqual(error?.code, code, file: file, line: line)
            XCTAssertTrue(error?.message.contains(message) ?? false,
                          "'\(error?.message ?? "")' lacks '\(message)'", file: file, line: line)
        }
    }

    func testWrongRankLeavesStatesUnchanged() throws {
        let layer = try primedLayer()
        let before = try snapshot(layer)
        assertFails(.shape, "(Batch, Time, ...)") { _ = try layer.forward(try Tensor(shape: [6], values: [1, 1, 1, 1, 1, 1])) }
        assertFails(.shape, "rank 0") {
            let squeeze = try self.primedLayer(.squeeze(batchSize: 2, numTimesteps: nil))
            _ = try squeeze.forward(try Tensor(scalar: 1))
        }
        XCTAssertEqual(try snapshot(layer), before)
    }

    func testBatchSizeMustDivideTheFirstDimension() throws {
        let layer = try primedLayer(.squeeze(batchSize: 2, numTimesteps: nil))
        let before = try snapshot(layer)
        assertFails(.shape, "does not divide") { _ = try layer.forward(try Tensor(zeros: [7, 3])) }
        XCTAssertEqual(try snapshot(layer), before)

        let steps = try primedLayer(.squeeze(batchSize: nil, numTimesteps: 4))
        assertFails(.shape, "does not divide") { _ = try steps.forward(try Tensor(zeros: [6, 3])) }
        let both = try primedLayer(.squeeze(batchSize: 2, numTimesteps: 4))
        assertFails(.shape, "!=") { _ = try both.forward(try Tensor(zeros: [16, 3])) }
        var huge = NeuronOptions(.iaf)
        huge.form = .squeeze(batchSize: Int.max / 2, numTimesteps: 4)
        assertFails(.shape, "!=") { _ = try NeuronLayer(huge).forward(try Tensor(zeros: [0, 3])) }
    }

    func testOutputMustFitAndNotAliasTheInput() throws {
        let layer = try primedLayer()
        let before = try snapshot(layer)
        let input = try Tensor(zeros: [2, 4, 3])
        assertFails(.shape, "elements") { try layer.forward(input, into: try Tensor(zeros: [2, 4, 2])) }
        assertFails(.invalidArgument, "share memory") { try layer.forward(input, into: try input.reshaped([24])) }
        XCTAssertEqual(try snapshot(layer), before)
    }

    func testRecurrentFeaturesMustMatch() throws {
        var options = NeuronOptions(.iaf)
        options.form = .recurrent(features: 4)
        let layer = try NeuronLayer(options)
        assertFails(.shape, "4 neurons per sample") { _ = try layer.forward(try Tensor(zeros: [1, 2, 3])) }
        XCTAssertEqual(try layer.state(named: "v_mem").shape, [0])
        assertFails(.shape, "rec_connect.weight") {
            try layer.setParameter(named: "rec_connect.weight", to: try Tensor(zeros: [3, 3]))
        }
        options.model = .expLeak
        assertFails(.invalidArgument, "no recurrent form") { _ = try NeuronLayer(options) }
    }

    func testTimeConstantsAndThresholdMustBePositive() throws {
        for (model, set) in [(NeuronModel.lif, { (o: inout NeuronOptions) in o.tauMem = 0 }),
                             (.lif, { $0.tauMem = -1 }), (.lif, { $0.tauSyn = 0 }),
                             (.alif, { $0.tauAdapt = -2 }), (.expLeak, { $0.tauMem = .nan }),
                             (.iaf, { $0.spikeThreshold = 0 }), (.alif, { $0.spikeThreshold = -1 }),
                             (.lif, { $0.spikeThreshold = .infinity })] {
            var options = NeuronOptions(model)
            set(&options)
            assertFails(.invalidArgument, "must be") { _ = try NeuronLayer(options) }
        }
        var maxSpike = NeuronOptions(.iaf)
        maxSpike.spikeFunction = .max(maxSpikesPerBin: 0)
        assertFails(.invalidArgument, "max_num_spikes_per_bin") { _ = try NeuronLayer(maxSpike) }
        var squeeze = NeuronOptions(.iaf)
        squeeze.form = .squeeze(batchSize: nil, numTimesteps: nil)
        assertFails(.invalidArgument, "batch_size or num_timesteps") { _ = try NeuronLayer(squeeze) }
    }

    func testParameterValuesAreCheckedAndLeftUnchangedOnError() throws {
        let layer = try primedLayer()
        for (name, value) in [("tau_mem", Float(0)), ("tau_syn", -3), ("spike_threshold", 0), ("tau_mem", .nan)] {
            let before = try layer.parameter(named: name).scalars
            assertFails(.invalidArgument, name) { try layer.setParameter(named: name, to: try Tensor(scalar: value)) }
            XCTAssertEqual(try layer.parameter(named: name).scalars, before, name)
        }
        // Time constants take any broadcasting shape (per neuron), not an empty one.
        assertFails(.shape, "shape") { try layer.setParameter(named: "tau_mem", to: try Tensor(zeros: [0])) }
        assertFails(.shape, "shape") { try layer.setParameter(named: "spike_threshold", to: try Tensor(zeros: [1])) }
        assertFails(.notFound, "alpha_mem") { try layer.setParameter(named: "alpha_mem", to: try Tensor(scalar: 0.5)) }
        var alphas = NeuronOptions(.lif)
        alphas.trainAlphas = true
        let trained = try NeuronLayer(alphas)
        assertFails(.invalidArgument, "alpha_mem") {
            try trained.setParameter(named: "alpha_mem", to: try Tensor(scalar: 1.5))
        }
    }

    func testMismatchedStateShapesAreRefused() throws {
        let layer = try primedLayer()
        let before = try snapshot(layer)
        assertFails(.shape, "state v_mem has shape [2, 3]") {
            try layer.setState(named: "v_mem", to: try Tensor(zeros: [3, 2]))
        }
        assertFails(.shape, "state i_syn") { try layer.setState(named: "i_syn", to: try Tensor(zeros: [2, 3, 1])) }
        assertFails(.notFound, "b") { try layer.setState(named: "b", to: try Tensor(zeros: [2, 3])) }
        XCTAssertEqual(try snapshot(layer), before)

        let fresh = try NeuronLayer(NeuronOptions(.iaf))
        assertFails(.shape, "batch dimension") { try fresh.setState(named: "v_mem", to: try Tensor(scalar: 1)) }
        XCTAssertEqual(try fresh.state(named: "v_mem").shape, [0])
    }

    /// NaN and Inf are not checked (a pass over memory): they propagate.
    /// NaN input gives a NaN membrane; MultiSpike outputs NaN like torch's
    /// (v > 0) * trunc(v / thr); SingleSpike outputs 0. Never a crash.
    func testNaNPropagatesIntoTheState() throws {
        let input = try Tensor(shape: [1, 2, 3], values: [.nan, .infinity, -.infinity, 0.5, 0.5, 0.5])
        let multi = try NeuronLayer(NeuronOptions(.iaf))
        let out = try multi.forward(input).scalars
        XCTAssertTrue(out[0].isNaN)
        XCTAssertEqual(out[1], .infinity)  // trunc(inf / 1); then v = inf - inf = NaN
        XCTAssertTrue(out[2].isNaN)  // 0 * trunc(-inf)
        XCTAssertTrue(try multi.state(named: "v_mem").scalars.allSatisfy { $0.isNaN })

        var options = NeuronOptions(.lif)
        options.spikeFunction = .single
        options.reset = .membrane(value: 0)
        options.minVMem = -1
        let single = try NeuronLayer(options)
        let singleOut = try single.forward(input).scalars
        XCTAssertEqual(singleOut[0], 0)
        XCTAssertTrue(try single.state(named: "v_mem").scalars[0].isNaN)
    }
}
