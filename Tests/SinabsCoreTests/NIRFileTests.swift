import Foundation
import XCTest
@testable import SinabsCore

/// .nir files: graphs written by sinabs (tests/reference/nir/generate.py)
/// load and give sinabs' own outputs; our models round-trip through a file;
/// bad files fail with a status, never a trap.
final class NIRFileTests: XCTestCase {
    static var fixtures: URL {
        ReferenceCase.directory.deletingLastPathComponent().appendingPathComponent("nir")
    }

    func fixture(_ name: String) throws -> (path: String, reference: ReferenceCase) {
        let json = try Data(contentsOf: Self.fixtures.appendingPathComponent(name + ".json"))
        let dict = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        return (Self.fixtures.appendingPathComponent(name + ".nir").path, ReferenceCase(name: name, json: dict))
    }

    var temporary: String { NSTemporaryDirectory() + "sinabs-nir-\(UUID().uuidString).nir" }

    func testSinabsConvGraphGivesSinabsOutputs() throws {
        let (path, reference) = try fixture("sinabs_conv")
        let model = try Sequential(nirFile: path, batchSize: reference["batch_size"] as? Int)
        XCTAssertEqual(model.layers.map(Sequential.kindName),
                       ["Conv2d", "IAFSqueeze", "SumPool2d", "Flatten", "Linear", "LIFSqueeze", "Linear", "ExpLeakSqueeze"])
        assertClose(try model.forward(try reference.tensor("input")), try reference.tensor("output"), "sinabs_conv output")
    }

    func testCubaLIFKeepsTauSynAndPerNeuronTau() throws {
        let (path, reference) = try fixture("sinabs_cubalif")
        let model = try Sequential(nirFile: path, batchSize: reference["batch_size"] as? Int)
        let lif = try XCTUnwrap(model.layers[1] as? NeuronLayer)
        XCTAssertEqual(lif.options.tauSyn, 2)
        XCTAssertEqual(try lif.parameter(named: "tau_mem").scalars, [3, 6, 12])
        XCTAssertEqual(try model.forward(try reference.tensor("input")).scalars, try reference.tensor("output").scalars)
    }

    func testRoundTripGivesIdenticalOutputs() throws {
        let (path, reference) = try fixture("sinabs_conv")
        let model = try Sequential(nirFile: path, batchSize: 2)
        let copyPath = temporary
        defer { try? FileManager.default.removeItem(atPath: copyPath) }
        try model.writeNIR(to: copyPath, inputShape: [2, 8, 8])
        let copy = try Sequential(nirFile: copyPath, batchSize: 2)
        let input = try reference.tensor("input")
        XCTAssertEqual(try copy.forward(input).scalars, try model.forward(input).scalars)
    }

    func testExportKeepsTauSynAndNormInput() throws {
        var options = NeuronOptions(.lif)
        options.form = .squeeze(batchSize: 1, numTimesteps: nil)
        options.tauMem = 7
        options.tauSyn = 3
        let linear = try Linear(inFeatures: 4, outFeatures: 3)
        linear.weight.withUnsafeMutableBufferPointer { w in for k in w.indices { w[k] = Float(k % 5) * 0.3 - 0.2 } }
        let model = Sequential([linear, try NeuronLayer(options)])  // norm_input on: written as r = 1 - exp(-1/tau)
        let path = temporary
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.writeNIR(to: path, inputShape: [4])
        let copy = try Sequential(nirFile: path, batchSize: 1)
        let input = try Tensor(shape: [6, 4], values: (0..<24).map { Float($0 % 5) * 0.7 })
        let expected = try model.forward(input).scalars
        XCTAssertGreaterThan(expected.reduce(0, +), 0)
        XCTAssertEqual(try copy.forward(input).scalars, expected)
        XCTAssertEqual((copy.layers[1] as? NeuronLayer)?.options.tauSyn, 3)
    }

    func testNormInputAndResetToZeroRoundTrip() throws {
        var lif = NeuronOptions(.lif)  // norm_input on: written as r = 1 - exp(-1/tau), read back as norm_input
        lif.form = .squeeze(batchSize: 1, numTimesteps: nil)
        lif.tauMem = 4
        lif.reset = .membrane(value: 0)  // the file cannot say which reset: all layers reset alike
        var iaf = NeuronOptions(.iaf)
        iaf.form = .squeeze(batchSize: 1, numTimesteps: nil)
        iaf.reset = .membrane(value: 0)
        let model = Sequential([try NeuronLayer(lif), try NeuronLayer(iaf)])
        let path = temporary
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.writeNIR(to: path, inputShape: [3])
        let copy = try Sequential(nirFile: path, options: NIRImportOptions(batchSize: 1, resetToZero: true))
        XCTAssertEqual((copy.layers[0] as? NeuronLayer)?.options.normInput, true)
        XCTAssertEqual((copy.layers[1] as? NeuronLayer)?.options.reset, .membrane(value: 0))
        let input = try Tensor(shape: [20, 3], values: (0..<60).map { Float($0 % 7) * 0.9 })
        let expected = try model.forward(input).scalars
        XCTAssertGreaterThan(expected.reduce(0, +), 0)
        XCTAssertEqual(try copy.forward(input).scalars, expected)
    }

    func testLayersNIRCannotExpressAreErrorsNamingThem() throws {
        var options = NeuronOptions(.iaf)
        options.form = .squeeze(batchSize: 1, numTimesteps: nil)
        options.minVMem = -1
        let model = Sequential([try Linear(inFeatures: 2, outFeatures: 2), try NeuronLayer(options)])
        XCTAssertThrowsError(try model.writeNIR(to: temporary, inputShape: [2])) { error in
            XCTAssertTrue("\(error)".contains("layer 1 (IAFSqueeze)"), "\(error)")
            XCTAssertTrue("\(error)".contains("min_v_mem"), "\(error)")
        }
        let pooled = Sequential([try MaxPool2d(kernelSize: Pair2d(2))])
        XCTAssertThrowsError(try pooled.writeNIR(to: temporary, inputShape: [1, 4, 4])) { error in
            XCTAssertTrue("\(error)".contains("layer 0 (MaxPool2d)"), "\(error)")
        }
    }

    func testBadFilesFailWithStatus() throws {
        func code(_ path: String) -> SinabsError.Code? {
            do { _ = try Sequential(nirFile: path, batchSize: 2); return nil } catch let error as SinabsError { return error.code } catch { return nil }
        }
        XCTAssertEqual(code("/nonexistent/x.nir"), .notFound)
        XCTAssertEqual(code(""), .notFound)
        let (path, _) = try fixture("sinabs_conv")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let bad = temporary
        defer { try? FileManager.default.removeItem(atPath: bad) }
        for cut in [0, 8, 100, 2000, bytes.count / 2, bytes.count - 1] {
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: bad))
            XCTAssertEqual(code(bad), .invalidArgument, "truncated at \(cut)")
        }
        try Data("not hdf5 at all".utf8).write(to: URL(fileURLWithPath: bad))
        XCTAssertEqual(code(bad), .invalidArgument)
        for name in ["bad_not_nir", "bad_unsupported_node", "bad_nan_parameters"] {
            XCTAssertEqual(code(Self.fixtures.appendingPathComponent(name + ".nir").path), .invalidArgument, name)
        }
        XCTAssertEqual(code(Self.fixtures.appendingPathComponent("bad_inconsistent_shapes.nir").path), .shape)
        // A damaged global heap (the strings' storage) is refused, not followed.
        var damaged = bytes
        for (offset, _) in bytes.enumerated().dropFirst(8) where bytes[offset..<min(offset + 4, bytes.count)].elementsEqual(Array("GCOL".utf8)) {
            damaged[offset + 16] ^= 0x40  // the first object's index
        }
        try damaged.write(to: URL(fileURLWithPath: bad))
        XCTAssertEqual(code(bad), .invalidArgument)
        XCTAssertEqual(try HDF5File.openObjectCount(), 0, "HDF5 ids left open")
    }

    func testGraphErrorsNameTheNode() throws {
        func graph(_ nodes: [NIRGraph.Node], _ edges: [(String, String)]) -> NIRGraph {
            NIRGraph(nodes: nodes, edges: edges.map { (from: $0.0, to: $0.1) })
        }
        let input = NIRGraph.Node(name: "input", type: "Input", fields: [("shape", .ints([2]))])
        let output = NIRGraph.Node(name: "output", type: "Output", fields: [("shape", .ints([2]))])
        let delay = NIRGraph.Node(name: "d", type: "Delay", fields: [("delay", .floats([2], [1, 1]))])
        let affine = NIRGraph.Node(name: "a", type: "Affine", fields: [("weight", .floats([2, 2], [1, .nan, 0, 1])),
                                                                     ("bias", .floats([2], [0, 0]))])
        let wide = NIRGraph.Node(name: "w", type: "Affine", fields: [("weight", .floats([3, 2], [1, 0, 0, 1, 1, 1])),
                                                                   ("bias", .floats([3], [0, 0, 0]))])
        let cases: [(NIRGraph, String)] = [
            (graph([input, delay, output], [("input", "d"), ("d", "output")]), "'d' (Delay)"),
            (graph([input, affine, output], [("input", "a"), ("a", "output")]), "NaN"),
            (graph([input, wide, output], [("input", "w"), ("w", "output")]), "Output node says [2]"),
            (graph([input, output], [("input", "output"), ("output", "input")]), "a cycle"),
            (graph([input, delay, output], [("input", "output")]), "'d' is not on the path"),
        ]
        for (g, expected) in cases {
            XCTAssertThrowsError(try NIRImport.layers(g, NIRImportOptions(batchSize: 1)), expected) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error) lacks \(expected)")
            }
        }
    }
}
