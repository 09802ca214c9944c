import XCTest
@testable import SinabsCore

/// The event-driven Conv2d kernel gives the dense kernel's results up to
/// float summation order: |sparse - dense| <= 1e-5 + 1e-5 |dense| on spike
/// counts (small integers) and on arbitrary floats, over many geometries.
final class ConvSparseTests: XCTestCase {
    func testSparseEqualsDense() throws {
        var generator = SplitMix64(seed: 42)
        func draw(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
        for trial in 0..<60 {
            let groups = [1, 1, 2, 4][draw(0...3)]
            let inChannels = groups * draw(1...3), outChannels = groups * draw(1...3)
            let kernel = Pair2d(draw(1...4), draw(1...4))
            let conv = try Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: kernel,
                                  stride: Pair2d(draw(1...3), draw(1...3)), padding: Pair2d(draw(0...2), draw(0...2)),
                                  dilation: Pair2d(draw(1...2), draw(1...2)), groups: groups, bias: trial % 2 == 0,
                                  seed: UInt64(trial))
            let shape = [draw(1...5), inChannels, draw(8...14), draw(8...14)]
            let input = try Tensor(zeros: shape)
            input.withUnsafeMutableBufferPointer { x in
                for i in x.indices where draw(0...9) == 0 {
                    x[i] = trial % 3 == 0 ? Float.random(in: -2...2, using: &generator) : Float(draw(1...3))
                }
            }
            conv.kernelChoice = .dense
            let dense = try conv.forward(input)
            conv.kernelChoice = .sparse
            let sparse = try conv.forward(input)
            XCTAssertEqual(conv.lastKernel, .sparse)
            assertClose(sparse, dense, rtol: 1e-5, atol: 1e-5, "trial \(trial)")
        }
    }

    func testAutomaticChoiceFollowsDensity() throws {
        let conv = try Conv2d(inChannels: 2, outChannels: 4, kernelSize: Pair2d(3))
        let sparse = try Tensor(zeros: [2, 2, 10, 10])
        sparse.withUnsafeMutableBufferPointer { $0[3] = 1 }
        _ = try conv.forward(sparse)
        XCTAssertEqual(conv.lastKernel, .sparse)
        let dense = try Tensor(shape: [2, 2, 10, 10], values: .init(repeating: 1, count: 400))
        _ = try conv.forward(dense)
        XCTAssertEqual(conv.lastKernel, .dense)
    }
}
