import XCTest
@testable import SinabsCore

/// Backward writes the input gradient over the tape's u and returns that
/// memory: no third (B, T, N) buffer. A gradient the caller still holds is
/// never overwritten by later training steps; a released one is recycled as
/// the next training forward's tape.
final class NeuronGradientMemoryTests: XCTestCase {
    private let (batch, time, neurons) = (2, 6, 5)

    /// IAF, LIF, LIF with tau_syn (its i_syn tape stays) and ALIF (its b tape stays).
    private let models: [(String, NeuronModel, Float?)] = [("IAF", .iaf, nil), ("LIF", .lif, nil),
                                                           ("LIF+syn", .lif, 2), ("ALIF", .alif, nil)]

    private func layer(_ form: NeuronForm, _ model: NeuronModel = .lif, tauSyn: Float? = nil) throws -> NeuronLayer {
        var options = NeuronOptions(model)
        options.form = form
        options.tauSyn = tauSyn
        if model != .iaf { options.tauMem = 3 }
        let layer = try NeuronLayer(options)
        layer.training = true
        return layer
    }

    private func values(_ seed: Int) -> [Float] {
        (0..<batch * time * neurons).map { Float(($0 * 7 + seed * 3) % 13) / 6 - 0.4 }
    }

    private func shape(_ form: NeuronForm) -> [Int] {
        if case .squeeze = form { return [batch * time, neurons] }
        return [batch, time, neurons]
    }

    /// One forward and backward; returns the gradient and u's address before backward.
    private func step(_ layer: NeuronLayer, _ form: NeuronForm, seed: Int)
        throws -> (grad: Tensor, tapeU: UnsafeMutablePointer<Float>?) {
        _ = try layer.forward(try Tensor(shape: shape(form), values: values(seed)))
        let tapeU = layer.autograd.tape?.u?.baseAddress
        let grad = try layer.backward(try Tensor(shape: shape(form), values: values(seed + 1)))
        return (grad, tapeU)
    }

    private let forms: [NeuronForm] = [.plain, .squeeze(batchSize: 2, numTimesteps: nil), .recurrent(features: 5)]

    func testGradientTakesTheTapesMembraneMemory() throws {
        for form in forms {
            let layer = try layer(form)
            let (grad, tapeU) = try step(layer, form, seed: 1)
            XCTAssertNotNil(tapeU, "\(form)")
            XCTAssertEqual(grad.baseAddress, tapeU, "\(form)")
            XCTAssertEqual(grad.shape, shape(form))
            XCTAssertNil(layer.autograd.tape?.u, "the tape gave u up: \(form)")
            XCTAssertThrowsError(try layer.backward(grad), "one backward per forward: \(form)")
        }
    }

    func testHeldGradientSurvivesLaterStepsAndReleasedOneIsRecycled() throws {
        for form in forms {
            for (model, kind, tauSyn) in models {
                let layer = try layer(form, kind, tauSyn: tauSyn)
                var first: Tensor? = try step(layer, form, seed: 1).grad
                let firstValues = try XCTUnwrap(first).scalars
                let firstAddress = first?.baseAddress
                // Same input again from the same state: the same gradient, in other memory.
                layer.resetStates()
                let second = try step(layer, form, seed: 1)
                XCTAssertEqual(try XCTUnwrap(first).scalars, firstValues, "held gradient intact: \(form) \(model)")
                XCTAssertNotEqual(second.grad.baseAddress, firstAddress)
                first = nil
                let third = try step(layer, form, seed: 4)
                XCTAssertEqual(third.tapeU, firstAddress, "released memory is the next tape: \(form) \(model)")
                XCTAssertEqual(second.grad.scalars, firstValues, "\(form) \(model)")
                XCTAssertNotEqual(third.grad.scalars, firstValues, "a new input's gradient: \(form) \(model)")
            }
        }
    }
}
