import XCTest
@testable import SinabsCore

/// Sequential: forward/backward equal the layers run by hand, torch-style
/// names, in-place gradients, shape checks naming the layer, summary.
final class SequentialTests: XCTestCase {
    func testForwardAndBackwardEqualTheLayersByHand() throws {
        let model = try smallSpikingModel()
        let twin = try smallSpikingModel()
        let input = try randomTensor([2, 7, 6], seed: 9, in: 0...1)
        let gradOutput = try randomTensor([2, 7, 3], seed: 10)
        model.training = true
        XCTAssertTrue(model.layers.allSatisfy(\.training), "training mode reaches every layer")
        let output = try model.forward(input)
        let gradInput = try model.backward(gradOutput)

        var x = input
        for layer in twin.layers {
            layer.training = true
            x = try layer.forward(x)
        }
        XCTAssertEqual(output.scalars, x.scalars)
        XCTAssertGreaterThan(output.scalars.reduce(0, +), 0, "the model must spike for the test to mean something")
        var g = gradOutput
        for layer in twin.layers.reversed() { g = try layer.backward(g) }
        XCTAssertEqual(gradInput.scalars, g.scalars)
        for (name, _, gradient) in try model.namedGradients() {
            XCTAssertEqual(gradient.scalars, try twin.gradient(named: name).scalars, name)
        }
    }

    func testNamesFollowTorch() throws {
        let model = try smallSpikingModel()
        XCTAssertEqual(model.parameterNames, ["0.weight", "0.bias", "1.tau_mem", "1.spike_threshold", "2.weight", "3.spike_threshold"])
        XCTAssertEqual(try model.namedGradients().map(\.name), ["0.weight", "0.bias", "1.tau_mem", "2.weight"])
        XCTAssertEqual(errorCode { _ = try model.parameter(named: "4.weight") }, .notFound)
        XCTAssertEqual(errorCode { _ = try model.parameter(named: "weight") }, .notFound)
        XCTAssertEqual(errorCode { _ = try model.gradient(named: "1.spike_threshold") }, .notFound)
    }

    func testParametersAndGradientsAreSharedMemory() throws {
        let model = try smallSpikingModel()
        model.training = true
        _ = try model.forward(try randomTensor([1, 4, 6], seed: 3, in: 0...1))
        _ = try model.backward(try randomTensor([1, 4, 3], seed: 4))
        let gradient = try model.gradient(named: "2.weight")
        gradient.fill(7)
        XCTAssertEqual(try model.gradient(named: "2.weight").scalars, Array(repeating: 7, count: 24))
        try model.parameter(named: "0.bias").fill(0.5)
        XCTAssertEqual(try (model.layers[0] as? Linear)?.bias?.scalars, Array(repeating: 0.5, count: 8))
        model.zeroGrad()
        XCTAssertEqual(gradient.scalars, Array(repeating: 0, count: 24))
    }

    func testSqueezeFormEqualsPlainForm() throws {
        let plain = try smallSpikingModel()
        let squeezed = try smallSpikingModel(squeezeBatch: 2)
        let input = try randomTensor([2, 5, 6], seed: 5, in: 0...1)
        let a = try plain.forward(input)
        let b = try squeezed.forward(try input.reshaped([10, 6]))
        XCTAssertEqual(a.scalars, b.scalars)
        XCTAssertEqual(b.shape, [10, 3])
    }

    func testBuildNamesTheLayerAndForwardChangesNothingOnABadShape() throws {
        let model = try smallSpikingModel()
        XCTAssertEqual(try model.build(inputShape: [2, 3, 6]), [[2, 3, 8], [2, 3, 8], [2, 3, 3], [2, 3, 3]])
        let message = errorMessage { try model.build(inputShape: [2, 3, 5]) }
        XCTAssertTrue(message.hasPrefix("layer 0 (Linear)"), message)
        // Layer 2 rejects what layer 1 gives: a model built wrongly.
        let broken = Sequential([try NeuronLayer(NeuronOptions(.iaf)), try Linear(inFeatures: 4, outFeatures: 2)])
        _ = try broken.layers[0].forward(try Tensor(zeros: [1, 2, 5]))
        let vMem = try broken.layers[0].state(named: "v_mem")
        try broken.layers[0].setState(named: "v_mem", to: try Tensor(shape: [1, 5], values: [0.5, 0.5, 0.5, 0.5, 0.5]))
        XCTAssertEqual(errorCode { _ = try broken.forward(try Tensor(shape: [1, 2, 5], values: Array(repeating: 0.3, count: 10))) }, .shape)
        XCTAssertTrue(errorMessage { _ = try broken.forward(try Tensor(zeros: [1, 2, 5])) }.hasPrefix("layer 1 (Linear)"))
        XCTAssertEqual(vMem.scalars, [0.5, 0.5, 0.5, 0.5, 0.5], "layer 0 must not have run")
    }

    func testBackwardNeedsATrainingForwardAndTheOutputShape() throws {
        let model = try smallSpikingModel()
        XCTAssertEqual(errorCode { _ = try model.backward(try Tensor(zeros: [1, 1, 3])) }, .state)
        _ = try model.forward(try Tensor(zeros: [1, 2, 6]))
        XCTAssertEqual(errorCode { _ = try model.backward(try Tensor(zeros: [1, 2, 3])) }, .state)
        model.training = true
        _ = try model.forward(try Tensor(zeros: [1, 2, 6]))
        XCTAssertEqual(errorCode { _ = try model.backward(try Tensor(zeros: [1, 2, 4])) }, .shape)
        XCTAssertEqual(try model.backward(try Tensor(zeros: [1, 2, 3])).shape, [1, 2, 6])
    }

    func testSummaryShowsShapesParametersAndFiringRates() throws {
        let model = try smallSpikingModel()
        XCTAssertTrue(model.summary().contains("Sequential: 4 layers, 83 parameters"), model.summary())
        _ = try model.forward(try randomTensor([2, 7, 6], seed: 9, in: 0...1))
        let summary = model.summary()
        let lines = summary.split(separator: "\n")
        XCTAssertEqual(lines.count, 6, summary)
        XCTAssertTrue(lines[2].hasPrefix("0  Linear  (2, 7, 8)"), summary)
        XCTAssertTrue(lines[3].contains("LIF") && lines[3].contains("0."), summary)
        let rate = try XCTUnwrap((model.layers[3] as? NeuronLayer)?.firingRate)
        XCTAssertTrue(lines[5].hasSuffix(Sequential.fixed(rate, digits: 4)), summary)
        XCTAssertEqual(Sequential.grouped(1234567), "1,234,567")
        XCTAssertEqual(Sequential.fixed(-0.05, digits: 3), "-0.050")
    }
}

/// Repeat inside a Sequential: its module's gradients by "<index>.module.<name>", in place.
final class SequentialRepeatTests: XCTestCase {
    func testRepeatedLinearTrainsInPlace() throws {
        let linear = try Linear(inFeatures: 3, outFeatures: 2)
        try linear.setParameter(named: "weight", to: try randomTensor([2, 3], seed: 1))
        let model = Sequential([Repeat(linear), try NeuronLayer(NeuronOptions(.iaf))])
        XCTAssertEqual(model.parameterNames, ["0.module.weight", "0.module.bias", "1.spike_threshold"])
        model.training = true
        _ = try model.forward(try randomTensor([2, 4, 3], seed: 2, in: 0...2))
        _ = try model.backward(try randomTensor([2, 4, 2], seed: 3))
        let gradient = try model.gradient(named: "0.module.weight")
        XCTAssertEqual(gradient.scalars, try linear.gradient(named: "weight").scalars)
        gradient.fill(3)
        XCTAssertEqual(try linear.gradient(named: "weight").scalars, Array(repeating: 3, count: 6), "shared memory")
        XCTAssertGreaterThan(try model.clipGradientNorm(maxNorm: 1), 1)
    }

    /// A (Batch, Time, ...) conv model with Repeat-wrapped per-frame layers
    /// saves and loads: same architecture text, same parameters, same outputs.
    func testRepeatedLayersSaveAndLoad() throws {
        let conv = try Conv2d(inChannels: 2, outChannels: 3, kernelSize: Pair2d(3), padding: Pair2d(1), seed: 7)
        var lif = NeuronOptions(.lif)
        lif.tauMem = 5
        let model = Sequential([
            Repeat(conv), try NeuronLayer(lif),
            Repeat(try SumPool2d(kernelSize: Pair2d(2))), Repeat(try Flatten()),
        ])
        let input = try randomTensor([2, 3, 2, 4, 4], seed: 4, in: 0...3)
        let expected = try model.forward(input).scalars
        let bytes = try model.fileBytes()
        let loaded = Sequential()
        try loaded.load(bytes: bytes)
        XCTAssertEqual(loaded.layers.count, 4)
        XCTAssertEqual((loaded.layers[0] as? Repeat)?.module is Conv2d, true)
        XCTAssertEqual(try loaded.fileBytes(), bytes, "saving the loaded model gives the same file")
        XCTAssertEqual(try loaded.forward(input).scalars, expected)
        XCTAssertEqual(try loaded.outputShapes(for: [2, 3, 2, 4, 4]).last, [2, 3, 12])
    }

    func testRepeatDescriptionErrors() throws {
        let unknown = LayerDescription(kind: "Repeat", arguments: ["module": .layer(LayerDescription(kind: "Nope"))])
        XCTAssertTrue(errorMessage { _ = try LayerRegistry.makeLayer(unknown) }.contains("unknown layer kind 'Nope'"))
        let notLayer = LayerDescription(kind: "Repeat", arguments: ["module": .int(3)])
        XCTAssertTrue(errorMessage { _ = try LayerRegistry.makeLayer(notLayer) }.contains("module must be a layer"))
        XCTAssertTrue(errorMessage { _ = try LayerRegistry.makeLayer(LayerDescription(kind: "Repeat")) }
            .contains("missing argument module"))
        let json = #"{"module": {"kind": "Linear", "arguments": {"in_features": 3}}}"#
        XCTAssertTrue(errorMessage { _ = try LayerRegistry.makeLayer(kind: "Repeat", argumentsJSON: json) }
            .contains("out_features"))
        let nested = #"{"module": {"kind": "Linear"}}"#
        XCTAssertTrue(errorMessage { _ = try LayerRegistry.makeLayer(kind: "Repeat", argumentsJSON: nested) }
            .contains("lacks kind or arguments"))
    }
}
