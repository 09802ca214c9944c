import Foundation
import XCTest
@testable import SinabsCore

/// The `synops` reference cases: sinabs' SNNAnalyzer figures for a small
/// network, reproduced by `SNNAnalyzer`; plus the AvgPool correction, averages,
/// ExpLeak not counted as spiking, and a bad dt.
final class AnalyzerReferenceTests: XCTestCase {
    static func model(_ json: JSON, _ key: String) throws -> Sequential {
        guard case .array(let entries)? = json[key] else { throw SinabsError.invalid("no \(key)") }
        return Sequential(try entries.map { entry -> Layer in
            guard case .string(let kind)? = entry["type"] else { throw SinabsError.invalid("bad entry") }
            var arguments: [String: LayerArgument] = [:]
            if case .object(let params)? = entry["params"] {
                for (k, v) in params { arguments[k] = try XCTUnwrap(LayerArgument(json: v)) }
            }
            return try LayerRegistry.makeLayer(LayerDescription(kind: kind, arguments: arguments))
        })
    }

    static func number(_ node: JSON?) throws -> Float {
        guard case .number(let text)? = node, let value = Float(text) else { throw SinabsError.invalid("not a number") }
        return value
    }

    func testSynopsCases() throws {
        let cases = try ReferenceCase.all(kind: "synops")
        XCTAssertFalse(cases.isEmpty)
        for reference in cases {
            let url = ReferenceCase.directory.appendingPathComponent(reference.name + ".json")
            let json = try JSON.parse(Array(try Data(contentsOf: url)))
            let model = try Self.model(json, "layers")
            for name in model.parameterNames where name.hasSuffix("weight") {
                try model.setParameter(named: name, to: try reference.tensor("parameters", name))
            }
            let analyzer = try SNNAnalyzer(model)
            _ = try model.forward(try reference.tensor("input"))
            let layerStats = try XCTUnwrap(json["layer_statistics"])
            guard case .object(let spikingEntries)? = layerStats["spiking"],
                  case .object(let parameterEntries)? = layerStats["parameter"] else { return XCTFail("no statistics") }
            let spiking = analyzer.spikingStatistics()
            XCTAssertEqual(spiking.count, spikingEntries.count)
            for (key, entry) in spikingEntries {
                let s = try XCTUnwrap(spiking[try XCTUnwrap(Int(key))])
                XCTAssertEqual(Float(s.neuronCount), try Self.number(entry["n_neurons"]))
                XCTAssertEqual(s.firingRate, try Self.number(entry["firing_rate"]), accuracy: 1e-5)
                let perNeuron = try reference.tensor("layer_statistics", "spiking", key, "firing_rate_per_neuron")
                XCTAssertEqual(s.neuronShape, perNeuron.shape)
                for (a, b) in zip(s.firingRatePerNeuron, perNeuron.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5) }
            }
            let parameters = analyzer.parameterStatistics()
            XCTAssertEqual(parameters.count, parameterEntries.count)
            for (key, entry) in parameterEntries {
                let p = try XCTUnwrap(parameters[try XCTUnwrap(Int(key))])
                XCTAssertEqual(p.synops, try Self.number(entry["synops"]), accuracy: 1e-3)
                XCTAssertEqual(Float(p.numTimesteps), try Self.number(entry["num_timesteps"]))
                XCTAssertEqual(p.timeWindow, try Self.number(entry["time_window"]), accuracy: 1e-6)
                XCTAssertEqual(p.synopsPerSecond, try Self.number(entry["SynOps/s"]), accuracy: 0.1)
            }
            let m = analyzer.modelStatistics()
            let expected = try XCTUnwrap(json["model_statistics"])
            XCTAssertEqual(m.firingRate, try Self.number(expected["firing_rate"]), accuracy: 1e-5)
            XCTAssertEqual(m.synops, try Self.number(expected["synops"]), accuracy: 1e-3)
            XCTAssertEqual(Float(m.spikingNeuronCount), try Self.number(expected["n_spiking_neurons"]))
        }
    }

    /// Conv(1->1, k=1) of ones, AvgPool(2), Flatten, Linear(4 -> 3), ExpLeak: the Linear's
    /// layer synops are scaled by the pool's area 4, the model's are not; ExpLeak is not spiking.
    func testAvgPoolCorrectionAverageAndExpLeak() throws {
        let conv = try Conv2d(inChannels: 1, outChannels: 1, kernelSize: Pair2d(1, 1))
        var leak = NeuronOptions(.expLeak)
        leak.form = .squeeze(batchSize: 1, numTimesteps: nil)
        let model = Sequential([conv, try AvgPool2d(description: LayerDescription(kind: "AvgPool2d", arguments: ["kernel_size": .int(2)])),
                                try Flatten(description: LayerDescription(kind: "Flatten")),
                                try Linear(inFeatures: 4, outFeatures: 3), try NeuronLayer(leak)])
        let analyzer = try SNNAnalyzer(model, dt: 2)
        XCTAssertEqual(analyzer.modelStatistics().spikingNeuronCount, 0)
        _ = try model.forward(try Tensor(shape: [2, 1, 4, 4], values: [Float](repeating: 1, count: 32)))
        XCTAssertTrue(analyzer.spikingStatistics().isEmpty, "ExpLeak does not spike")
        let p = analyzer.parameterStatistics()
        XCTAssertEqual(p[0]?.synops, 32)      // 32 events per sample (ExpLeakSqueeze unflattens: batch 1, 2 steps), one synapse each
        XCTAssertEqual(p[0]?.numTimesteps, 2)
        XCTAssertEqual(p[0]?.synopsPerSecond, 32 / 2 / 2 * 1000)
        let linearInput = try model.layers[2].forward(try model.layers[1].forward(try conv.forward(try Tensor(shape: [2, 1, 4, 4], values: [Float](repeating: 1, count: 32)))))
        let events = linearInput.scalars.reduce(0, +)
        XCTAssertEqual(p[3]?.synops ?? 0, events * 3 * 4, accuracy: 1e-4)
        XCTAssertEqual(analyzer.modelStatistics().synops, 32 + events * 3, accuracy: 1e-4)
        _ = try model.forward(try Tensor(zeros: [2, 1, 4, 4]))
        XCTAssertEqual(analyzer.parameterStatistics()[0]?.synops, 0)
        XCTAssertEqual(analyzer.parameterStatistics(average: true)[0]?.synops, 16)
        analyzer.reset()
        XCTAssertTrue(analyzer.parameterStatistics().isEmpty)
        XCTAssertThrowsError(try SNNAnalyzer(model, dt: 0))
        XCTAssertThrowsError(try SNNAnalyzer(model, dt: .nan))
    }
}
