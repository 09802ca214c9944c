import XCTest
@testable import SinabsCore

/// network_conv_squeeze: a squeeze-form conv SNN from sinabs (Conv2d,
/// IAFSqueeze, SumPool2d, Conv2d, LIFSqueeze, AvgPool2d, Flatten, Linear,
/// IAFSqueeze) chained by hand, forward and backward through the chain.
final class NetworkReferenceTests: XCTestCase {
    func testConvSqueezeNetwork() throws {
        for kernel in [ConvKernelChoice.dense, .sparse] {
            try run(kernel)
        }
    }

    private func run(_ kernel: ConvKernelChoice) throws {
        let ref = try ReferenceCase.load("network_conv_squeeze")
        let specs = try XCTUnwrap(ref["layers"] as? [[String: Any]])
        let layers = try specs.map { try layer($0) }
        for case let conv as Conv2d in layers { conv.kernelChoice = kernel }
        let parameters = try XCTUnwrap(ref["parameters"] as? [String: Any])
        for (key, value) in parameters {
            let (index, name) = try split(key)
            try layers[index].setParameter(named: name, to: try ReferenceCase.tensor(value))
        }
        var x = try ref.tensor("input")
        for layer in layers {
            layer.training = true
            x = try layer.forward(x)
        }
        assertClose(x, try ref.tensor("output"), rtol: 0, atol: 0, "network output (\(kernel))")
        var grad = try ref.tensor("upstream_grad")
        for layer in layers.reversed() { grad = try layer.backward(grad) }
        assertClose(grad, try ref.tensor("grads", "input"), "network grad input (\(kernel))")
        let grads = try XCTUnwrap(ref["grads"] as? [String: Any])
        var checked = 0
        for (key, value) in grads where key != "input" && !(value is NSNull) {
            let (index, name) = try split(key)
            assertClose(try layers[index].gradient(named: name), try ReferenceCase.tensor(value), "grad \(key) (\(kernel))")
            checked += 1
        }
        XCTAssertEqual(checked, 5)  // 0.weight, 3.weight, 3.bias, 4.tau_mem, 7.weight
    }

    private func split(_ key: String) throws -> (Int, String) {
        let parts = key.split(separator: ".", maxSplits: 1)
        return (try XCTUnwrap(Int(parts[0])), String(parts[1]))
    }

    private func layer(_ spec: [String: Any]) throws -> Layer {
        let type = try XCTUnwrap(spec["type"] as? String)
        let params = try XCTUnwrap(spec["params"] as? [String: Any])
        switch type {
        case "IAFSqueeze", "LIFSqueeze":
            var options = NeuronOptions(type == "IAFSqueeze" ? .iaf : .lif)
            options.form = .squeeze(batchSize: params["batch_size"] as? Int, numTimesteps: nil)
            if let tau = params["tau_mem"] as? Double { options.tauMem = Float(tau) }
            if let norm = params["norm_input"] as? Bool { options.normInput = norm }
            return try NeuronLayer(options)
        case "Linear":
            return try Linear(inFeatures: try XCTUnwrap(params["in_features"] as? Int),
                              outFeatures: try XCTUnwrap(params["out_features"] as? Int),
                              bias: try XCTUnwrap(params["bias"] as? Bool))
        default:
            return try ReferenceCase.connectionLayer(type: type, params: params)
        }
    }
}
