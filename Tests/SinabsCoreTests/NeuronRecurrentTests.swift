import XCTest
@testable import SinabsCore

/// The recurrent form: input_t + W s_{t-1} (+ bias from step 1 on).
final class NeuronRecurrentTests: XCTestCase {
    private let n = 4
    private var weight: [Float] { (0..<16).map { Float(($0 * 5) % 7) / 7 - 0.4 } }
    private var input: [Float] { (0..<(2 * 6 * 4)).map { Float(($0 * 3) % 11) / 2 } }

    private func layer(_ model: NeuronModel) throws -> NeuronLayer {
        var options = NeuronOptions(model)
        options.form = .recurrent(features: n)
        options.tauSyn = 3
        let layer = try NeuronLayer(options)
        try layer.setParameter(named: "rec_connect.weight", to: try Tensor(shape: [n, n], values: weight))
        return layer
    }

    func testFeedbackMatchesTheScalarModel() throws {
        for model in [NeuronModel.iaf, .lif, .alif] {
            let layer = try layer(model)
            var scalar = ScalarNeuronModel(layer.options)
            scalar.weight = weight
            let out = try layer.forward(try Tensor(shape: [2, 6, n], values: input))
            let expected = scalar.run(input, batch: 2, time: 6, neurons: n)
            XCTAssertEqual(out.scalars, expected.output, "\(model)")
            XCTAssertGreaterThan(out.scalars.reduce(0, +), 0, "\(model): the case has spikes")
        }
    }

    func testSettingABiasAddsIt() throws {
        let layer = try layer(.lif)
        XCTAssertEqual(layer.parameterNames, ["tau_mem", "tau_syn", "spike_threshold", "rec_connect.weight"])
        let bias: [Float] = [0.5, -0.25, 0.125, 1]
        try layer.setParameter(named: "rec_connect.bias", to: try Tensor(shape: [n], values: bias))
        XCTAssertEqual(layer.parameterNames.last, "rec_connect.bias")
        XCTAssertEqual(try layer.parameter(named: "rec_connect.bias").scalars, bias)

        var scalar = ScalarNeuronModel(layer.options)
        scalar.weight = weight
        scalar.bias = bias
        let out = try layer.forward(try Tensor(shape: [2, 6, n], values: input))
        let expected = scalar.run(input, batch: 2, time: 6, neurons: n)
        XCTAssertEqual(out.scalars, expected.output)
        var noBias = scalar
        noBias.bias = nil
        XCTAssertNotEqual(out.scalars, noBias.run(input, batch: 2, time: 6, neurons: n).output,
                          "the bias changes the spikes of this case")

        // A second set updates the same parameter.
        try layer.setParameter(named: "rec_connect.bias", to: try Tensor(zeros: [n]))
        XCTAssertEqual(layer.parameterNames.filter { $0 == "rec_connect.bias" }.count, 1)
        XCTAssertEqual(try layer.parameter(named: "rec_connect.bias").scalars, [0, 0, 0, 0])
    }

    /// The bias enters every step but the first, so its gradient is the sum
    /// of the input gradients of steps 1... (checked against torch autograd
    /// through sinabs' LIFRecurrent by hand: max error 5e-7 of 5.5).
    func testBiasGradientSumsTheLaterStepInputGradients() throws {
        let layer = try layer(.lif)
        try layer.setParameter(named: "rec_connect.bias", to: try Tensor(shape: [n], values: [0.5, -0.25, 0.125, 1]))
        layer.training = true
        _ = try layer.forward(try Tensor(shape: [2, 6, n], values: input))
        let upstream = (0..<(2 * 6 * n)).map { Float(($0 * 7) % 5) - 2 }
        let gradInput = try layer.backward(try Tensor(shape: [2, 6, n], values: upstream)).scalars
        var expected = [Float](repeating: 0, count: n)
        for b in 0..<2 { for t in 1..<6 { for k in 0..<n { expected[k] += gradInput[(b * 6 + t) * n + k] } } }
        let bias = try layer.gradient(named: "rec_connect.bias").scalars
        for k in 0..<n { XCTAssertEqual(bias[k], expected[k], accuracy: 1e-5 + 1e-4 * abs(expected[k])) }
        XCTAssertGreaterThan(expected.map(abs).reduce(0, +), 0)
    }

    func testBLASSizesBeyond32BitsAreRefusedNotTrapped() throws {
        let limit = Int(Int32.max)
        XCTAssertNoThrow(try NeuronLayer.checkBLASSizes(batch: limit, rowLength: limit))
        for (batch, row) in [(limit + 1, 4), (2, limit + 1), (Int.max, Int.max)] {
            XCTAssertThrowsError(try NeuronLayer.checkBLASSizes(batch: batch, rowLength: row)) { error in
                XCTAssertEqual((error as? SinabsError)?.code, .shape)
            }
        }
    }

    func testBadBiasIsRefusedAndNotAdded() throws {
        let layer = try layer(.iaf)
        XCTAssertThrowsError(try layer.setParameter(named: "rec_connect.bias", to: try Tensor(zeros: [n + 1])))
        XCTAssertThrowsError(try layer.setParameter(named: "rec_connect.bias",
                                                    to: try Tensor(shape: [n], values: [0, .nan, 0, 0])))
        XCTAssertFalse(layer.parameterNames.contains("rec_connect.bias"))
        let plain = try NeuronLayer(NeuronOptions(.iaf))
        XCTAssertThrowsError(try plain.setParameter(named: "rec_connect.bias", to: try Tensor(zeros: [n]))) {
            XCTAssertEqual(($0 as? SinabsError)?.code, .notFound)
        }
    }
}
