import XCTest
@testable import SinabsCore

/// The shape layers against values written out by hand (torch semantics).
final class ShapeLayerTests: XCTestCase {
    private func tensor(_ shape: [Int]) throws -> Tensor {
        try Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { Float($0 + 1) })
    }

    private func roundTrip(_ layer: Layer, _ input: Tensor) throws -> (Tensor, Tensor) {
        layer.training = true
        let output = try layer.forward(input)
        XCTAssertEqual(try layer.outputShape(for: input.shape), output.shape)
        let into = try Tensor(zeros: output.shape)
        try layer.forward(input, into: into)
        XCTAssertEqual(into.scalars.map(\.bitPattern), output.scalars.map(\.bitPattern))
        let grad = try layer.backward(try Tensor(shape: output.shape, values: output.scalars.indices.map { Float($0) }))
        XCTAssertEqual(grad.shape, input.shape)
        return (output, grad)
    }

    func testFlattenForms() throws {
        let x = try tensor([2, 3, 4, 5])
        XCTAssertEqual(try Flatten().outputShape(for: x.shape), [2, 60])
        XCTAssertEqual(try Flatten(startDim: 0, endDim: 1).outputShape(for: x.shape), [6, 4, 5])
        XCTAssertEqual(try Flatten(startDim: -2).outputShape(for: x.shape), [2, 3, 20])
        XCTAssertThrowsError(try Flatten(startDim: 3, endDim: 1).outputShape(for: x.shape))
        XCTAssertThrowsError(try Flatten(startDim: 5).outputShape(for: x.shape))
        XCTAssertEqual(try FlattenTime().outputShape(for: x.shape), [6, 4, 5])
        XCTAssertEqual(try UnflattenTime(batchSize: 2).outputShape(for: [6, 4]), [2, 3, 4])
        XCTAssertThrowsError(try UnflattenTime(batchSize: 4).outputShape(for: [6, 4]))
        XCTAssertThrowsError(try UnflattenTime(batchSize: 0))
        let (y, g) = try roundTrip(Flatten(), x)
        XCTAssertEqual(y.scalars, x.scalars)
        XCTAssertEqual(g.scalars, (0..<120).map(Float.init))
    }

    func testZeroPadAndCrop() throws {
        let x = try tensor([1, 1, 2, 3])  // [[1 2 3] [4 5 6]]
        let (padded, gradPad) = try roundTrip(try ZeroPad2d(padding: [1, 0, 0, 1]), x)
        XCTAssertEqual(padded.shape, [1, 1, 3, 4])
        XCTAssertEqual(padded.scalars, [0, 1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0])
        XCTAssertEqual(gradPad.scalars, [1, 2, 3, 5, 6, 7])
        let (cropped, gradCrop) = try roundTrip(try ZeroPad2d(padding: [-1, 0, 0, -1]), x)
        XCTAssertEqual(cropped.scalars, [2, 3])
        XCTAssertEqual(gradCrop.scalars, [0, 0, 1, 0, 0, 0])
        let (crop2, _) = try roundTrip(try Cropping2dLayer(top: 1, bottom: 0, left: 1, right: 1), x)
        XCTAssertEqual(crop2.scalars, [5])
        XCTAssertThrowsError(try Cropping2dLayer(top: 2, bottom: 1).forward(x))
        XCTAssertThrowsError(try Cropping2dLayer(top: -1))
        XCTAssertThrowsError(try ZeroPad2d(padding: [1, 2]))
        XCTAssertThrowsError(try ZeroPad2d(padding: [-4, 0, 0, 0]).forward(x))
    }

    func testChannelShiftBothWays() throws {
        let x = try tensor([1, 2, 1, 2])
        let (shifted, grad) = try roundTrip(try ChannelShift(channelShift: 1), x)
        XCTAssertEqual(shifted.shape, [1, 3, 1, 2])
        XCTAssertEqual(shifted.scalars, [0, 0, 1, 2, 3, 4])
        XCTAssertEqual(grad.scalars, [2, 3, 4, 5])
        let (dropped, _) = try roundTrip(try ChannelShift(channelShift: -1), x)
        XCTAssertEqual(dropped.scalars, [3, 4])
        XCTAssertThrowsError(try ChannelShift(channelAxis: 0))
        XCTAssertThrowsError(try ChannelShift(channelShift: -3).forward(x))
        XCTAssertThrowsError(try ChannelShift(channelAxis: -5).forward(x))
    }

    func testMergePadsToTheLargerShape() throws {
        let merge = Merge()
        merge.training = true
        let a = try tensor([1, 2, 2]), b = try tensor([1, 1, 3])
        let y = try merge.forward(a, b)
        XCTAssertEqual(y.shape, [1, 2, 3])
        XCTAssertEqual(y.scalars, [1 + 1, 2 + 2, 0 + 3, 3, 4, 0])
        let (ga, gb) = try merge.backward(pair: try Tensor(shape: [1, 2, 3], values: [1, 2, 3, 4, 5, 6]))
        XCTAssertEqual(ga.scalars, [1, 2, 4, 5])
        XCTAssertEqual(gb.scalars, [1, 2, 3])
        XCTAssertThrowsError(try merge.forward(a)) { XCTAssertEqual(($0 as? SinabsError)?.code, .invalidArgument) }
        XCTAssertThrowsError(try merge.forward(a, try tensor([2, 2])))
        XCTAssertThrowsError(try merge.backward(pair: y)) { XCTAssertEqual(($0 as? SinabsError)?.code, .state) }
    }

    func testReLUAndDropout() throws {
        let x = try Tensor(shape: [4], values: [-1, 0, 2, .nan])
        let (y, g) = try roundTrip(ReLU(), x)
        XCTAssertEqual(Array(y.scalars.prefix(3)), [0, 0, 2])
        XCTAssertTrue(y.scalars[3].isNaN)
        XCTAssertEqual(g.scalars, [0, 0, 2, 0])

        let ones = try Tensor(shape: [10000], values: .init(repeating: 1, count: 10000))
        let dropout = try Dropout(p: 0.25, seed: 7)
        XCTAssertEqual(try dropout.forward(ones).scalars, ones.scalars)  // eval: identity
        dropout.training = true
        let dropped = try dropout.forward(ones).scalars
        let kept = dropped.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 4 / 3) < 1e-6 })
        XCTAssertEqual(Float(kept.count) / 10000, 0.75, accuracy: 0.02)
        let grad = try dropout.backward(ones).scalars
        XCTAssertEqual(grad, dropped)
        let again = try Dropout(p: 0.25, seed: 7)
        again.training = true
        XCTAssertEqual(try again.forward(ones).scalars, dropped, "same seed, same mask")
        XCTAssertThrowsError(try Dropout(p: .nan))
        XCTAssertThrowsError(try Dropout(p: 1.5))
        let all = try Dropout(p: 1, seed: 1)
        all.training = true
        XCTAssertEqual(try all.forward(ones).scalars.max(), 0)
    }

    func testRepeatRunsTheModulePerFrame() throws {
        let conv = try Conv2d(inChannels: 1, outChannels: 2, kernelSize: Pair2d(1), bias: false)
        try conv.setParameter(named: "weight", to: try Tensor(shape: [2, 1, 1, 1], values: [1, -2]))
        let repeated = Repeat(conv)
        XCTAssertEqual(repeated.parameterNames, ["module.weight"])
        let x = try tensor([2, 3, 1, 1, 1])
        let (y, g) = try roundTrip(repeated, x)
        XCTAssertEqual(y.shape, [2, 3, 2, 1, 1])
        XCTAssertEqual(y.scalars, (1...6).flatMap { [Float($0), -2 * Float($0)] })
        XCTAssertEqual(g.scalars, (0..<6).map { Float(2 * $0) - 2 * Float(2 * $0 + 1) })
        XCTAssertEqual(try repeated.gradient(named: "module.weight").shape, [2, 1, 1, 1])
        XCTAssertThrowsError(try repeated.parameter(named: "weight"))
        XCTAssertThrowsError(try repeated.forward(try tensor([3, 1, 1])))
    }

    func testDescriptionsRebuildEveryLayer() throws {
        let layers: [any DescribableLayer] = [
            try Conv2d(inChannels: 4, outChannels: 6, kernelSize: Pair2d(3, 2), stride: Pair2d(2, 1),
                       padding: Pair2d(1, 0), dilation: Pair2d(1, 2), groups: 2, bias: false),
            try AvgPool2d(kernelSize: Pair2d(3), stride: Pair2d(2), padding: Pair2d(1), ceilMode: true,
                          countIncludePad: false, divisorOverride: 5),
            try SumPool2d(kernelSize: Pair2d(2, 3)), try MaxPool2d(kernelSize: Pair2d(3), dilation: Pair2d(2)),
            try Flatten(startDim: 0, endDim: 2), try Cropping2dLayer(top: 1, bottom: 2, left: 3, right: 4),
            try ChannelShift(channelShift: 2, channelAxis: -2), try ZeroPad2d(padding: [1, 2, 3, 4]),
            Merge(), FlattenTime(), try UnflattenTime(batchSize: 3), try Dropout(p: 0.3), ReLU(),
        ]
        for layer in layers {
            let description = layer.layerDescription
            XCTAssertTrue(type(of: layer).kinds.contains(description.kind))
            let rebuilt = try type(of: layer).init(description: description)
            XCTAssertEqual(rebuilt.layerDescription, description)
            XCTAssertThrowsError(try type(of: layer).init(description: LayerDescription(kind: "Nope")))
        }
        XCTAssertThrowsError(try Conv2d(description: LayerDescription(kind: "Conv2d", arguments: ["in_channels": .int(2)])))
        XCTAssertThrowsError(try Conv2d(description: LayerDescription(kind: "Conv2d", arguments: [
            "in_channels": .int(2), "out_channels": .int(2), "kernel_size": .string("3")])))
    }
}
