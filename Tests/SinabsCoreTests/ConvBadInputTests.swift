import XCTest
@testable import SinabsCore

/// Refused arguments and inputs of Conv2d and the pools: a clear error, the
/// layer as it was.
final class ConvBadInputTests: XCTestCase {
    private func code(_ body: () throws -> Any) -> SinabsError.Code? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? SinabsError)?.code
        }
    }

    func testConstructorArguments() {
        XCTAssertEqual(code { try Conv2d(inChannels: 3, outChannels: 4, kernelSize: Pair2d(3), groups: 2) }, .invalidArgument)
        XCTAssertEqual(code { try Conv2d(inChannels: 0, outChannels: 4, kernelSize: Pair2d(3)) }, .invalidArgument)
        XCTAssertEqual(code { try Conv2d(inChannels: 2, outChannels: -1, kernelSize: Pair2d(3)) }, .invalidArgument)
        XCTAssertEqual(code { try Conv2d(inChannels: 2, outChannels: 2, kernelSize: Pair2d(0, 3)) }, .invalidArgument)
        XCTAssertEqual(code { try Conv2d(inChannels: 2, outChannels: 2, kernelSize: Pair2d(3), stride: Pair2d(0)) }, .invalidArgument)
        XCTAssertEqual(code { try Conv2d(inChannels: 2, outChannels: 2, kernelSize: Pair2d(3), padding: Pair2d(-1)) }, .invalidArgument)
        XCTAssertEqual(code { try Conv2d(inChannels: 2, outChannels: 2, kernelSize: Pair2d(3), dilation: Pair2d(0)) }, .invalidArgument)
        XCTAssertEqual(code { try Conv2d(inChannels: 1 << 20, outChannels: 1, kernelSize: Pair2d(1 << 10)) }, .invalidArgument)
        XCTAssertEqual(code { try AvgPool2d(kernelSize: Pair2d(2), padding: Pair2d(2)) }, .invalidArgument)
        XCTAssertEqual(code { try AvgPool2d(kernelSize: Pair2d(2), divisorOverride: 0) }, .invalidArgument)
        XCTAssertEqual(code { try MaxPool2d(kernelSize: Pair2d(-2)) }, .invalidArgument)
        XCTAssertEqual(code { try SumPool2d(kernelSize: Pair2d(2), stride: Pair2d(0)) }, .invalidArgument)
    }

    func testInputsAndLayerUnchanged() throws {
        let conv = try Conv2d(inChannels: 2, outChannels: 3, kernelSize: Pair2d(3), seed: 1)
        let weight = conv.weight.scalars
        conv.training = true
        let good = try Tensor(zeros: [1, 2, 5, 5])
        _ = try conv.forward(good)
        XCTAssertEqual(code { try conv.forward(try Tensor(zeros: [1, 3, 5, 5])) }, .shape)  // channels
        XCTAssertEqual(code { try conv.forward(try Tensor(zeros: [1, 2, 2, 5])) }, .shape)  // kernel > input
        XCTAssertEqual(code { try conv.forward(try Tensor(zeros: [2, 5])) }, .shape)
        XCTAssertEqual(code { try conv.forward(try Tensor(zeros: [10])) }, .shape)
        XCTAssertEqual(code { try conv.forward(good, into: try Tensor(zeros: [4])) }, .shape)
        XCTAssertEqual(code { try conv.forward(good, into: good) }, .shape)
        XCTAssertEqual(code { try conv.setParameter(named: "weight", to: try Tensor(zeros: [3])) }, .shape)
        XCTAssertEqual(code { try conv.parameter(named: "nope") }, .notFound)
        XCTAssertEqual(code { try conv.backward(try Tensor(zeros: [1, 3, 4, 4])) }, .shape)
        XCTAssertEqual(conv.weight.scalars, weight)
        XCTAssertEqual(try conv.gradient(named: "weight").scalars.max(), 0)
        // The training forward survived the refused calls: backward still works once.
        XCTAssertEqual(try conv.backward(try Tensor(zeros: [1, 3, 3, 3])).shape, [1, 2, 5, 5])
        XCTAssertEqual(code { try conv.backward(try Tensor(zeros: [1, 3, 3, 3])) }, .state)

        let pool = try MaxPool2d(kernelSize: Pair2d(3))
        XCTAssertEqual(code { try pool.forward(try Tensor(zeros: [1, 1, 2, 2])) }, .shape)
        XCTAssertEqual(code { try pool.backward(try Tensor(zeros: [1])) }, .state)
        XCTAssertEqual(code { try SumPool2d(kernelSize: Pair2d(2)).forward(try Tensor(zeros: [2, 2])) }, .shape)
    }

    /// Empty batches and planes run without touching memory.
    func testEmptyInputs() throws {
        let conv = try Conv2d(inChannels: 2, outChannels: 3, kernelSize: Pair2d(1))
        conv.training = true
        XCTAssertEqual(try conv.forward(try Tensor(zeros: [0, 2, 4, 4])).shape, [0, 3, 4, 4])
        XCTAssertEqual(try conv.backward(try Tensor(zeros: [0, 3, 4, 4])).shape, [0, 2, 4, 4])
        XCTAssertEqual(code { try conv.forward(try Tensor(zeros: [1, 2, 0, 4])) }, .shape)  // as torch
        XCTAssertEqual(try AvgPool2d(kernelSize: Pair2d(2)).forward(try Tensor(zeros: [0, 2, 4, 4])).shape, [0, 2, 2, 2])
    }
}

/// Input gradients reuse their memory only once the caller released them.
final class GradientMemoryTests: XCTestCase {
    func testHeldGradientsAreNeverOverwritten() throws {
        let pool = try SumPool2d(kernelSize: Pair2d(2))
        pool.training = true
        let input = try Tensor(shape: [1, 1, 2, 2], values: [1, 0, 0, 1])
        _ = try pool.forward(input)
        let first = try pool.backward(try Tensor(shape: [1, 1, 1, 1], values: [3]))
        _ = try pool.forward(input)
        let second = try pool.backward(try Tensor(shape: [1, 1, 1, 1], values: [5]))
        XCTAssertEqual(first.scalars, [3, 3, 3, 3])
        XCTAssertEqual(second.scalars, [5, 5, 5, 5])
        XCTAssertFalse(first.baseAddress == second.baseAddress)
        _ = consume second  // released: the next backward takes its memory back
        _ = try pool.forward(input)
        let third = try pool.backward(try Tensor(shape: [1, 1, 1, 1], values: [7]))
        XCTAssertEqual(third.scalars, [7, 7, 7, 7])
        XCTAssertEqual(first.scalars, [3, 3, 3, 3])
    }
}
