import XCTest
@testable import SinabsCore

/// Every `connection_layer` reference case (outputs and all gradients), on
/// both Conv2d kernels.
final class ConnectionReferenceTests: XCTestCase {
    func testEveryConnectionCase() throws {
        let cases = try ReferenceCase.all(kind: "connection_layer")
        XCTAssertGreaterThanOrEqual(cases.count, 14)
        var checked = 0
        for ref in cases {
            let type = try XCTUnwrap(ref["layer", "type"] as? String)
            if type == "Linear" { continue }  // LinearGradientTests
            if !ReferenceCase.connectionTypes.contains(where: { $0.kinds.contains(type) }) { continue }
            let params = try XCTUnwrap(ref["layer", "params"] as? [String: Any])
            let kernels: [ConvKernelChoice] = type == "Conv2d" ? [.dense, .sparse] : [.automatic]
            for kernel in kernels {
                try check(ref, try ReferenceCase.connectionLayer(type: type, params: params), kernel)
            }
            checked += 1
        }
        XCTAssertEqual(checked, 12)
    }

    private func check(_ ref: ReferenceCase, _ layer: any DescribableLayer, _ kernel: ConvKernelChoice) throws {
        let what = "\(ref.name) (\(kernel))"
        (layer as? Conv2d)?.kernelChoice = kernel
        let parameters = ref["parameters"] as? [String: Any] ?? [:]
        XCTAssertEqual(Set(layer.parameterNames), Set(parameters.keys), "\(what): parameter names")
        for (name, value) in parameters { try layer.setParameter(named: name, to: try ReferenceCase.tensor(value)) }
        layer.training = true
        let input = try ref.tensor("input")
        assertClose(try layer.forward(input), try ref.tensor("output"), "\(what) output")
        if let conv = layer as? Conv2d { XCTAssertEqual(conv.lastKernel, kernel) }
        let gradInput = try layer.backward(try ref.tensor("upstream_grad"))
        assertClose(gradInput, try ref.tensor("grads", "input"), "\(what) grad input")
        for name in layer.parameterNames {
            assertClose(try layer.gradient(named: name), try ref.tensor("grads", name), "\(what) grad \(name)")
        }
    }
}
