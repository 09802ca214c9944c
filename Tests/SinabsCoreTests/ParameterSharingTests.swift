import XCTest
@testable import SinabsCore

/// Linear and Conv2d computing with outside memory (zero-copy weight transfer).
final class ParameterSharingTests: XCTestCase {
    func testLinearReadsAndKeepsTheSharedMemory() throws {
        var released = 0
        let memory = UnsafeMutablePointer<Float>.allocate(capacity: 2)
        memory.initialize(from: [1, 2], count: 2)
        do {
            let linear = try Linear(inFeatures: 2, outFeatures: 1, bias: false)
            try linear.shareParameter(named: "weight", with: try Tensor.wrapping(memory, shape: [1, 2]) { _ in released += 1 })
            let x = try Tensor(shape: [1, 2], values: [3, 4])
            XCTAssertEqual(try linear.forward(x).scalars, [11])
            memory[1] = -1
            XCTAssertEqual(try linear.forward(x).scalars, [-1])
            XCTAssertEqual(linear.weight.baseAddress, memory)
            XCTAssertThrowsError(try linear.shareParameter(named: "weight", with: try Tensor(zeros: [2, 1])))
            XCTAssertThrowsError(try linear.shareParameter(named: "bias", with: try Tensor(zeros: [1])))
            XCTAssertEqual(released, 0)
        }
        XCTAssertEqual(released, 1)
        memory.deallocate()
    }

    func testConv2dBias() throws {
        let conv = try Conv2d(inChannels: 1, outChannels: 1, kernelSize: Pair2d(1), seed: 1)
        let bias = try Tensor(shape: [1], values: [0.5])
        try conv.shareParameter(named: "bias", with: bias)
        try conv.setParameter(named: "weight", to: try Tensor(shape: [1, 1, 1, 1], values: [2]))
        XCTAssertEqual(try conv.forward(try Tensor(shape: [1, 1, 1], values: [3])).scalars, [6.5])
        bias.fill(1)
        XCTAssertEqual(try conv.forward(try Tensor(shape: [1, 1, 1], values: [3])).scalars, [7])
    }
}
