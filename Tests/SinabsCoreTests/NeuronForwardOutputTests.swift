import XCTest
@testable import SinabsCore

/// forward(_:) (sinabs_layer_forward) reuses its last output's memory once
/// the caller has released it, and never memory the caller still holds.
final class NeuronForwardOutputTests: XCTestCase {
    private let input = try! Tensor(shape: [2, 3, 4], values: (0..<24).map { Float($0 % 5) * 0.4 })

    private func expected(_ layer: NeuronLayer) throws -> [Float] {
        let output = try Tensor.uninitialized(input.shape)
        try layer.forward(input, into: output)
        return output.scalars
    }

    func testReleasedOutputIsReusedHeldOneIsNot() throws {
        let layer = try NeuronLayer(NeuronOptions(.iaf)), twin = try NeuronLayer(NeuronOptions(.iaf))
        var first: Tensor? = try layer.forward(input)
        let firstAddress = first?.baseAddress
        XCTAssertEqual(first?.scalars, try expected(twin))
        first = nil
        let second = try layer.forward(input)
        XCTAssertEqual(second.baseAddress, firstAddress)
        XCTAssertEqual(second.shape, input.shape)
        XCTAssertEqual(second.scalars, try expected(twin))
        let kept = second.scalars
        let third = try layer.forward(input)  // `second` is still held
        XCTAssertNotEqual(third.baseAddress, second.baseAddress)
        XCTAssertEqual(second.scalars, kept)
        XCTAssertEqual(third.scalars, try expected(twin))
    }

    func testANewShapeGetsItsOwnMemory() throws {
        let layer = try NeuronLayer(NeuronOptions(.lif))
        var first: Tensor? = try layer.forward(input)
        first = nil
        let smaller = try Tensor(shape: [1, 3, 4], values: [Float](repeating: 2, count: 12))
        let output = try layer.forward(smaller)
        XCTAssertEqual(output.shape, [1, 3, 4])
        let reference = try Tensor.uninitialized([1, 3, 4])
        try NeuronLayer(NeuronOptions(.lif)).forward(smaller, into: reference)
        XCTAssertEqual(output.scalars, reference.scalars)
        _ = first
    }
}
