import XCTest
@testable import SinabsCore

/// Linear backward against torch's autograd (reference cases linear_*).
final class LinearGradientTests: XCTestCase {
    func testReferenceGradients() throws {
        for name in ["linear_bias", "linear_3d_input"] {
            let ref = try ReferenceCase.load(name)
            let inFeatures = try XCTUnwrap(ref["layer", "params", "in_features"] as? Int)
            let outFeatures = try XCTUnwrap(ref["layer", "params", "out_features"] as? Int)
            let hasBias = try XCTUnwrap(ref["layer", "params", "bias"] as? Bool)
            let layer = try Linear(inFeatures: inFeatures, outFeatures: outFeatures, bias: hasBias)
            for parameter in layer.parameterNames {
                try layer.setParameter(named: parameter, to: try ref.tensor("parameters", parameter))
            }
            layer.training = true
            assertClose(try layer.forward(try ref.tensor("input")), try ref.tensor("output"), "\(name) output")
            let gradInput = try layer.backward(try ref.tensor("upstream_grad"))
            assertClose(gradInput, try ref.tensor("grads", "input"), "\(name) grad input")
            for parameter in layer.parameterNames {
                assertClose(try layer.gradient(named: parameter), try ref.tensor("grads", parameter), "\(name) grad \(parameter)")
            }
        }
    }

    func testErrorsAndZeroGrad() throws {
        let layer = try Linear(inFeatures: 2, outFeatures: 1)
        try layer.setParameter(named: "weight", to: try Tensor(shape: [1, 2], values: [2, 3]))
        let input = try Tensor(shape: [1, 2], values: [1, -1])
        XCTAssertThrowsError(try layer.backward(try Tensor(zeros: [1, 1]))) { XCTAssertEqual(($0 as? SinabsError)?.code, .state) }
        layer.training = true
        _ = try layer.forward(input)
        XCTAssertThrowsError(try layer.backward(try Tensor(zeros: [1, 2]))) { XCTAssertEqual(($0 as? SinabsError)?.code, .shape) }
        XCTAssertEqual(try layer.backward(try Tensor(shape: [1, 1], values: [1])).scalars, [2, 3])
        XCTAssertEqual(try layer.gradient(named: "weight").scalars, [1, -1])
        XCTAssertEqual(try layer.gradient(named: "bias").scalars, [1])
        layer.zeroGrad()
        XCTAssertEqual(try layer.gradient(named: "weight").scalars, [0, 0])
        XCTAssertThrowsError(try layer.gradient(named: "nope")) { XCTAssertEqual(($0 as? SinabsError)?.code, .notFound) }
    }
}
