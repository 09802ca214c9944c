import Foundation
import XCTest
@testable import SinabsCore

/// The `conversion` reference cases: the ANN built from the case, converted
/// by `Conversion.fromModel` with the case's arguments, must give sinabs'
/// ANN output and SNN output on the same spike input.
final class ConversionReferenceTests: XCTestCase {
    func testFromModelCases() throws {
        let cases = try ReferenceCase.all(kind: "conversion")
        XCTAssertFalse(cases.isEmpty)
        for reference in cases {
            let url = ReferenceCase.directory.appendingPathComponent(reference.name + ".json")
            let json = try JSON.parse(Array(try Data(contentsOf: url)))
            guard case .array(let entries)? = json["ann"] else { return XCTFail("\(reference.name): no ann") }
            let ann = Sequential(try entries.map { entry -> Layer in
                guard case .string(let kind)? = entry["type"] else { throw SinabsError.invalid("bad entry \(entry.text)") }
                var arguments: [String: LayerArgument] = [:]
                if case .object(let params)? = entry["params"] {
                    for (key, value) in params { arguments[key] = try XCTUnwrap(LayerArgument(json: value)) }
                }
                return try LayerRegistry.makeLayer(LayerDescription(kind: kind, arguments: arguments))
            })
            for name in ann.parameterNames {
                try ann.setParameter(named: name, to: try reference.tensor("ann_parameters", name))
            }
            guard case .number(let batch)? = json["from_model_args"]?["batch_size"] else { return XCTFail("no batch_size") }
            var options = ConversionOptions(batchSize: try XCTUnwrap(Int(batch)))
            if case .number(let threshold)? = json["from_model_args"]?["spike_threshold"] {
                options.spikingLayer.spikeThreshold = try XCTUnwrap(Float(threshold))
            }
            guard case .array(let shape)? = json["from_model_args"]?["input_shape"] else { return XCTFail("no input_shape") }
            options.inputShape = try shape.map { entry -> Int in
                guard case .number(let n) = entry, let size = Int(n) else { throw SinabsError.invalid("bad size") }
                return size
            }
            let snn = try Conversion.fromModel(ann, options: options)
            assertClose(try ann.forward(try reference.tensor("image")), try reference.tensor("ann_output"), "\(reference.name) ann")
            assertClose(try snn.forward(try reference.tensor("spike_input")), try reference.tensor("snn_output"), "\(reference.name) snn")
            // The ANN keeps its own parameters.
            let weight = try snn.parameter(named: "0.weight")
            XCTAssertFalse(weight.sharesStorage(with: try ann.parameter(named: "0.weight")))
        }
    }

    func testOptionsAndRescaling() throws {
        let linear = try Linear(inFeatures: 2, outFeatures: 2, bias: true)
        try linear.setParameter(named: "bias", to: try Tensor(shape: [2], values: [2, -4]))
        let ann = Sequential([linear, ReLU()])
        var options = ConversionOptions(numTimesteps: 3)
        options.biasRescaling = 2
        options.addSpikingOutput = true
        let snn = try Conversion.fromModel(ann, options: options)
        XCTAssertEqual(snn.layers.count, 2, "ends in a ReLU: no extra output layer")
        XCTAssertEqual(try snn.parameter(named: "0.bias").scalars, [1, -2])
        XCTAssertEqual(try ann.parameter(named: "0.bias").scalars, [2, -4])
        let described = try XCTUnwrap(snn.layers[1] as? NeuronLayer).layerDescription
        XCTAssertEqual(described.kind, "IAFSqueeze")
        XCTAssertEqual(described.arguments["min_v_mem"], .float(-1))
        XCTAssertEqual(described.arguments["num_timesteps"], .int(3))
        let open = try Conversion.fromModel(Sequential([linear]), options: options)
        XCTAssertEqual(open.layers.count, 2, "a spiking output is appended")
        for bad: Float in [0, .nan, .infinity] {
            options.biasRescaling = bad
            XCTAssertThrowsError(try Conversion.fromModel(ann, options: options))
        }
        options = ConversionOptions(batchSize: 1)
        options.inputShape = [0]
        XCTAssertThrowsError(try Conversion.fromModel(ann, options: options))
        options.inputShape = [5]
        XCTAssertThrowsError(try Conversion.fromModel(ann, options: options), "the ANN takes 2 features")
        options = ConversionOptions()
        XCTAssertThrowsError(try Conversion.fromModel(ann, options: options), "squeeze needs batch_size or num_timesteps")
        options = ConversionOptions(batchSize: 1)
        options.spikingLayer.model = .expLeak
        XCTAssertThrowsError(try Conversion.fromModel(ann, options: options))
    }
}
