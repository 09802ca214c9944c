import Foundation
import XCTest
@testable import SinabsCore

/// The `network` reference cases (a squeeze-form conv SNN from sinabs): the
/// layers are built from the case's kinds and constructor arguments through
/// the LayerRegistry, run as one Sequential, and must give sinabs' output
/// and every gradient. Skipped while a kind has no registered layer type.
final class SequentialNetworkReferenceTests: XCTestCase {
    func testNetworkCases() throws {
        let cases = try ReferenceCase.all(kind: "network")
        XCTAssertFalse(cases.isEmpty)
        var missing: Set<String> = []
        for reference in cases {
            let url = ReferenceCase.directory.appendingPathComponent(reference.name + ".json")
            let json = try JSON.parse(Array(try Data(contentsOf: url)))
            guard case .array(let layerEntries)? = json["layers"] else { return XCTFail("\(reference.name): no layers") }
            let descriptions = try layerEntries.map { entry -> LayerDescription in
                guard case .string(let kind)? = entry["type"], case .object(let params)? = entry["params"] else {
                    throw SinabsError.invalid("bad layer entry \(entry.text)")
                }
                var arguments: [String: LayerArgument] = [:]
                for (key, value) in params {
                    arguments[key] = try XCTUnwrap(LayerArgument(json: value), "\(kind).\(key)")
                }
                return LayerDescription(kind: kind, arguments: arguments)
            }
            let unknown = descriptions.map(\.kind).filter { LayerRegistry.type(for: $0) == nil }
            guard unknown.isEmpty else {
                missing.formUnion(unknown)
                for description in descriptions where LayerRegistry.type(for: description.kind) != nil {
                    XCTAssertNoThrow(try LayerRegistry.makeLayer(description), "\(description)")  // sinabs' arguments read
                }
                continue
            }
            let model = Sequential(try descriptions.map(LayerRegistry.makeLayer))
            for name in model.parameterNames {
                try model.setParameter(named: name, to: try reference.tensor("parameters", name))
            }
            model.training = true
            assertClose(try model.forward(try reference.tensor("input")), try reference.tensor("output"), "\(reference.name) output")
            let gradInput = try model.backward(try reference.tensor("upstream_grad"))
            assertClose(gradInput, try reference.tensor("grads", "input"), "\(reference.name) grad input")
            for (name, _, gradient) in try model.namedGradients() {
                assertClose(gradient, try reference.tensor("grads", name), "\(reference.name) grad \(name)")
            }
        }
        if !missing.isEmpty {
            throw XCTSkip("layer kinds without a registered type yet: \(missing.sorted())")
        }
    }
}
