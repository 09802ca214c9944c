import XCTest
@testable import SinabsCore

/// Linear starts as torch.nn.Linear does (uniform in +-1/sqrt(inFeatures)),
/// reproducibly from `manualSeed`; the values for seed 42 are the ones the C
/// (tests/c/test_init.c) and Python (test_init.py) tests check too.
final class ParameterInitTests: XCTestCase {
    static let seed42Weight: [Float] = [-0x1.729668p-3, 0x1.0d70c4p-1, -0x1.023f8p-6,
                                        -0x1.ff8fd6p-2, 0x1.a26p-3, -0x1.ff61bp-2]
    static let seed42Bias: [Float] = [-0x1.68386cp-2, 0x1.15895cp-2]

    func testSeedGivesTheValuesSharedWithCAndPython() throws {
        for _ in 0..<2 {
            manualSeed(42)
            let layer = try Linear(inFeatures: 3, outFeatures: 2)
            XCTAssertEqual(layer.weight.scalars, Self.seed42Weight)
            XCTAssertEqual(layer.bias?.scalars, Self.seed42Bias)
            let next = try Linear(inFeatures: 3, outFeatures: 2)
            XCTAssertNotEqual(next.weight.scalars, layer.weight.scalars)
        }
    }

    func testTorchDefaultBoundsAndSpread() throws {
        manualSeed(3)
        let weight = try Tensor(zeros: [64, 400]), bias = try Tensor(zeros: [64])
        ParameterInit.torchDefault(weight: weight, bias: bias, fanIn: 400)
        for values in [weight.scalars, bias.scalars] {
            XCTAssertTrue(values.allSatisfy { abs($0) <= 0.05 })
        }
        let w = weight.scalars
        XCTAssertLessThan(w.min()!, -0.0499)
        XCTAssertGreaterThan(w.max()!, 0.0499)
        XCTAssertLessThan(abs(w.reduce(0, +) / Float(w.count)), 0.002)
    }

    func testEmptyFanInGivesZeros() throws {
        let weight = try Tensor(shape: [2, 1], values: [5, 5])
        ParameterInit.torchDefault(weight: weight, bias: nil, fanIn: 0)
        XCTAssertEqual(weight.scalars, [0, 0])
    }

    func testConcurrentSeedingAndCreation() throws {
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            for i in 0..<200 {
                if i % 10 == index { manualSeed(UInt64(i)) }
                let layer = try? Linear(inFeatures: 4, outFeatures: 4)
                XCTAssertTrue(layer?.weight.scalars.allSatisfy { abs($0) <= 0.5 } ?? false)
            }
        }
    }
}
