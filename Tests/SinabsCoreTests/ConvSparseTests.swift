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

    /// Per-sample products larger than OpenBLAS's single-thread size are cut
    /// into pieces (Gemm.multiplyOnCallingThread): with bias, groups and
    /// stride they agree with the scatter kernel too.
    func testLargeProductsAgree() throws {
        var generator = SplitMix64(seed: 9)
        for (groups, bias, stride) in [(1, true, 1), (2, true, 1), (2, false, 2)] {
            let conv = try Conv2d(inChannels: 8 * groups, outChannels: 24 * groups, kernelSize: Pair2d(3),
                                  stride: Pair2d(stride), padding: Pair2d(1), groups: groups, bias: bias, seed: 3)
            let input = try Tensor(zeros: [3, 8 * groups, 40, 36])
            input.fillUniform(-1...1, using: &generator)
            conv.kernelChoice = .dense
            let dense = try conv.forward(input)
            XCTAssertGreaterThan(24 * 8 * 9 * dense.shape[2] * dense.shape[3], Gemm.openBLASThreadedAbove)
            conv.kernelChoice = .sparse
            assertClose(try conv.forward(input), dense, rtol: 1e-4, atol: 1e-4, "groups \(groups) bias \(bias)")
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

/// Linear's event-driven kernel equals its GEMM up to summation order.
final class LinearSparseTests: XCTestCase {
    func testSparseEqualsDense() throws {
        var generator = SplitMix64(seed: 5)
        for (features, outputs, bias) in [(7, 3, true), (512, 10, false), (300, 70, true)] {
            let layer = try Linear(inFeatures: features, outFeatures: outputs, bias: bias)
            for name in layer.parameterNames {
                try layer.parameter(named: name).fillUniform(-0.5...0.5, using: &generator)
            }
            let input = try Tensor(zeros: [3, 5, features])
            input.withUnsafeMutableBufferPointer { x in
                for i in x.indices where Int.random(in: 0..<20, using: &generator) == 0 { x[i] = Float(Int.random(in: 1...3, using: &generator)) }
            }
            layer.kernelChoice = .dense
            let dense = try layer.forward(input)
            layer.kernelChoice = .sparse
            assertClose(try layer.forward(input), dense, rtol: 1e-5, atol: 1e-5, "linear \(features) -> \(outputs)")
        }
    }
}
