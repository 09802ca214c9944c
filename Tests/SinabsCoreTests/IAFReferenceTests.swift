import XCTest
@testable import SinabsCore

/// The IAF path end to end against sinabs' own numbers.
final class IAFReferenceTests: XCTestCase {
    private func check(_ caseName: String) throws {
        let ref = try ReferenceCase.load(caseName)
        var options = NeuronOptions(.iaf)
        options.recordStates = true
        let layer = try NeuronLayer(options)
        let output = try layer.forward(try ref.tensor("input"))
        assertClose(output, try ref.tensor("output"), rtol: 0, atol: 0, "\(caseName) output")
        assertClose(try layer.state(named: "v_mem"), try ref.tensor("state_after", "v_mem"), "\(caseName) v_mem")
        assertClose(try layer.recording(named: "v_mem"), try ref.tensor("recordings", "v_mem"), "\(caseName) recording")
        let rate = try XCTUnwrap(ref["firing_rate"] as? Double)
        XCTAssertEqual(Double(layer.firingRate), rate, accuracy: 1e-6)
    }

    func testDefault() throws { try check("iaf_default") }
    func testFiveDimensional() throws { try check("iaf_5d") }

    func testStateCarriesAcrossCallsAndResets() throws {
        let layer = try NeuronLayer(NeuronOptions(.iaf))
        let input = try Tensor(shape: [1, 2, 1], values: [0.6, 0.6])
        XCTAssertEqual(try layer.forward(input).scalars, [0, 1])
        XCTAssertEqual(try layer.state(named: "v_mem").scalars[0], 0.2, accuracy: 1e-6)
        XCTAssertEqual(try layer.forward(input).scalars, [0, 1])  // 0.2+0.6, then 0.8+0.6
        layer.resetStates()
        XCTAssertEqual(try layer.state(named: "v_mem").scalars, [0])
    }
}
