import XCTest
@testable import SinabsCore

/// Model files: every neuron kind and option round-trips; a file that is
/// truncated, foreign or inconsistent fails with a clear error and leaves the
/// target model as it was.
final class ModelFileTests: XCTestCase {
    private func path(_ name: String) -> String { "/tmp/sinabs-model-test-\(getpid())-\(name).safetensors" }

    /// Neuron options covering every model, form, activation and option.
    static func variedNeuronOptions() -> [NeuronOptions] {
        var list: [NeuronOptions] = []
        for model in NeuronModel.allCases {
            var o = NeuronOptions(model)
            o.tauMem = 7.5
            list.append(o)
            o.tauSyn = 3
            o.minVMem = -1.25
            o.trainAlphas = true
            o.normInput = false
            o.recordStates = true
            o.form = .squeeze(batchSize: 2, numTimesteps: nil)
            list.append(o)
            o.form = .squeeze(batchSize: nil, numTimesteps: 4)
            o.spikeThreshold = 0.75
            o.spikeFunction = .max(maxSpikesPerBin: 3)
            o.reset = .membrane(value: -0.5)
            o.surrogate = .multiGaussian(mu: 0.1, sigma: 0.25, h: 0.2, s: 5, gradScale: 2)
            list.append(o)
            o.reset = .subtract(value: 0.5)
            o.surrogate = .gaussian(mu: 0, sigma: 0.3, gradScale: 1.5)
            o.spikeFunction = .single
            list.append(o)
            if model != .expLeak {
                o.form = .recurrent(features: 3)
                o.surrogate = .heaviside(window: 0.7)
                list.append(o)
                o.surrogate = .periodicExponential(gradWidth: 0.4, gradScale: 1.1)
                if model == .alif { o.tauAdapt = 12; o.adaptScale = 0.9 }
                list.append(o)
            }
        }
        return list
    }

    func testEveryNeuronDescriptionRoundTrips() throws {
        for options in Self.variedNeuronOptions() {
            let layer = try NeuronLayer(options)
            let description = layer.layerDescription
            let rebuilt = try NeuronLayer(description: description)
            // Only what the model uses must survive (ExpLeak ignores spike options).
            XCTAssertEqual(rebuilt.layerDescription, description, "\(description.kind)")
            XCTAssertEqual(rebuilt.kernelParameters().spike_fn, layer.kernelParameters().spike_fn)
            XCTAssertEqual(rebuilt.parameterNames, layer.parameterNames, description.kind)
            XCTAssertEqual(rebuilt.options.form, options.form)
            XCTAssertTrue(LayerRegistry.type(for: description.kind) == NeuronLayer.self)
        }
    }

    private func trainedModel() throws -> Sequential {
        let model = try smallSpikingModel()
        var recurrent = NeuronOptions(.lif)
        recurrent.form = .recurrent(features: 3)
        recurrent.tauSyn = 4
        let layer = try NeuronLayer(recurrent)
        try layer.setParameter(named: "rec_connect.weight", to: try randomTensor([3, 3], seed: 4))
        try layer.setParameter(named: "rec_connect.bias", to: try randomTensor([3], seed: 5))
        model.append(layer)
        try model.parameter(named: "1.tau_mem").fill(6.5)
        return model
    }

    func testSaveAndLoadGiveTheSameOutputs() throws {
        let model = try trainedModel()
        let input = try randomTensor([2, 6, 6], seed: 8, in: 0...1)
        let file = path("roundtrip")
        try model.save(to: file)
        let loaded = try Sequential(contentsOf: file)
        XCTAssertEqual(loaded.parameterNames, model.parameterNames)
        XCTAssertEqual(try loaded.layerDescriptions(), try model.layerDescriptions())
        XCTAssertEqual(try loaded.forward(input).scalars, try model.forward(input).scalars)
        // States travel when asked: the next call continues from them.
        try model.save(to: file, includeStates: true)
        let continued = try Sequential(contentsOf: file)
        XCTAssertEqual(try continued.layers[1].state(named: "v_mem").scalars, try model.layers[1].state(named: "v_mem").scalars)
        XCTAssertEqual(try continued.forward(input).scalars, try model.forward(input).scalars)
        remove(file)
    }

    func testTheHeaderIsPlainSafetensors() throws {
        let bytes = try trainedModel().fileBytes()
        let length = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        XCTAssertEqual((8 + length) % 8, 0)
        let header = try JSON.parse(bytes[8..<(8 + length)])
        XCTAssertEqual(header["0.weight"], .object([("dtype", .string("F32")), ("shape", .array([.int(8), .int(6)])),
                                                   ("data_offsets", .array([.int(0), .int(192)]))]))
        guard case .string(let architecture)? = header["__metadata__"]?[Sequential.architectureKey] else {
            return XCTFail("no architecture")
        }
        XCTAssertEqual(try JSON.parse(architecture)["layers"].map { if case .array(let l) = $0 { return l.count } else { return 0 } }, 5)
    }

    /// Every failure leaves the model's layers, parameters and outputs as they were.
    func testFailedLoadsLeaveTheModelAsItWas() throws {
        let model = try trainedModel()
        let good = try model.fileBytes()
        let target = try smallSpikingModel(seed: 3)
        let before = try target.fileBytes()
        let layersBefore = target.layers.map(ObjectIdentifier.init)

        func refused(_ bytes: [UInt8], _ what: String, contains expected: String? = nil) {
            let message = errorMessage { try target.load(bytes: bytes) }
            XCTAssertFalse(message.isEmpty, "\(what) was accepted")
            if let expected { XCTAssertTrue(message.contains(expected), "\(what): \(message)") }
            XCTAssertEqual(target.layers.map(ObjectIdentifier.init), layersBefore, what)
        }
        for cut in stride(from: 0, to: good.count, by: max(1, good.count / 97)) {
            refused(Array(good[0..<cut]), "truncated at \(cut)")
        }
        refused(Array("not a model file at all".utf8), "text")
        let plain = try SafeTensors(metadata: [("format", "pt")], tensors: [("weight", try Tensor(zeros: [2]))]).encoded()
        refused(plain, "a safetensors file without architecture", contains: "not a libsinabs model")

        func withArchitecture(_ edit: (String) -> String) throws -> [UInt8] {
            let file = try SafeTensors.decode(good)
            let metadata = file.metadata.map { ($0.0, $0.0 == Sequential.architectureKey ? edit($0.1) : $0.1) }
            return try SafeTensors(metadata: metadata, tensors: file.tensors).encoded()
        }
        refused(try withArchitecture { String($0.dropLast()) }, "bad JSON", contains: "bad JSON")
        refused(try withArchitecture { $0.replacingFirst("\"LIF\"", with: "\"Conv9d\"") }, "unknown kind", contains: "unknown layer kind 'Conv9d'")
        refused(try withArchitecture { $0.replacingFirst("\"tau_mem\":5.0", with: "\"tau_mem\":-5.0") }, "negative tau", contains: "tau_mem")
        refused(try withArchitecture { $0.replacingFirst("\"tau_mem\":5.0", with: "\"tau_mem\":1e999") }, "infinite tau", contains: "tau_mem")
        refused(try withArchitecture { $0.replacingFirst("\"tau_mem\":5.0", with: "\"tau_mem\":null") }, "None tau", contains: "tau_mem")
        refused(try withArchitecture { $0.replacingFirst("\"in_features\":6", with: "\"in_features\":5") }, "shape mismatch", contains: "0.weight")
        refused(try withArchitecture { $0.replacingFirst("\"bias\":true", with: "\"bias\":true,\"typo\":1") }, "unknown argument", contains: "typo")
        refused(try withArchitecture { $0.replacingFirst("\"version\":1", with: "\"version\":2") }, "future version", contains: "version")

        var file = try SafeTensors.decode(good)
        file.tensors = file.tensors.map { ($0.name, $0.name == "1.tau_mem" ? try! Tensor(scalar: .nan) : $0.tensor) }
        refused(try file.encoded(), "NaN tau_mem", contains: "tau_mem")
        file = try SafeTensors.decode(good)
        file.tensors.removeLast()
        refused(try file.encoded(), "missing parameter", contains: "lacks")
        file = try SafeTensors.decode(good)
        file.tensors.append(("9.weight", try Tensor(zeros: [1])))
        refused(try file.encoded(), "extra tensor", contains: "9.weight")

        XCTAssertEqual(try target.fileBytes(), before, "the model's parameters are unchanged")
        XCTAssertEqual(errorCode { try target.load(from: "/nonexistent/model.safetensors") }, .notFound)
    }

    func testModelsThatCannotBeSaved() throws {
        final class Opaque: Layer {
            func forward(_ input: Tensor, into output: Tensor) throws { try output.copyElements(from: input) }
            func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
            var parameterNames: [String] { [] }
            func parameter(named name: String) throws -> Tensor { throw Self.missing("parameter", name) }
            func setParameter(named name: String, to value: Tensor) throws { throw Self.missing("parameter", name) }
        }
        let model = Sequential([try Linear(inFeatures: 2, outFeatures: 2), Opaque()])
        XCTAssertTrue(errorMessage { _ = try model.fileBytes() }.hasPrefix("layer 1 (Opaque) cannot be saved"))
        XCTAssertEqual(errorCode { try model.save(to: "/nonexistent/dir/model.safetensors") }, .invalidArgument)
        let repeated = Sequential([Repeat(Opaque())])
        XCTAssertTrue(errorMessage { _ = try repeated.fileBytes() }
            .hasPrefix("layer 0 (Repeat) cannot be saved: its module (Opaque) does not describe itself"))
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self + "<\(target) not found>" }
        return replacingCharacters(in: range, with: replacement)
    }
}
