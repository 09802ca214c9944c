import XCTest
@testable import SinabsCore

/// The encoders' random stream against committed values (the C and Python
/// tests check the same numbers), their semantics, and event binning.
final class EncoderTests: XCTestCase {
    /// SplitMix64(42)'s first outputs, top 24 bits.
    private let draws42: [Float] = [12441394, 2682851, 4674151, 5774561, 638040, 14566449, 3664231, 13432373]
        .map { Float($0) * 0x1p-24 }

    func testStreamIsSequentialSplitMix64() {
        var sequential = SplitMix64(seed: 42)
        var out = [Float](repeating: 0, count: 8)
        out.withUnsafeMutableBufferPointer { UniformDraws.fill($0, seed: 42, firstDraw: 0) }
        XCTAssertEqual(out, draws42)
        for value in out { XCTAssertEqual(value, Float(sequential.next() >> 40) * 0x1p-24) }
    }

    func testImg2SpikeChecksumAcrossCalls() throws {
        let layer = try Img2SpikeLayer(tw: 50, maxRate: 1000, norm: 100, negativeSpikes: true, seed: 7)
        let input = try Tensor(shape: [100], values: (0..<100).map { Float($0) - 20 })
        for (count, sum) in [(1720.0, 3777003.0), (1665.0, 3678021.0)] {
            let spikes = try layer.forward(input)
            XCTAssertEqual(spikes.shape, [50, 100])
            XCTAssertEqual(Double(layer.spikesNumber), count)
            XCTAssertEqual(spikes.scalars.enumerated().reduce(0.0) { $0 + Double($1.offset) * Double($1.element) }, sum)
        }
    }

    func testImg2SpikeSqueezeAndProcessSeed() throws {
        manualSeed(3)
        let a = try Img2SpikeLayer(tw: 4, maxRate: 500, norm: 1, squeeze: true)
        manualSeed(3)
        let b = try Img2SpikeLayer(tw: 4, maxRate: 500, norm: 1, squeeze: true)
        let image = try Tensor(shape: [1, 3, 1], values: [1, 1, 1])
        let spikes = try a.forward(image)
        XCTAssertEqual(spikes.shape, [4, 3])
        XCTAssertEqual(spikes.scalars, try b.forward(image).scalars)
        XCTAssertThrowsError(try Img2SpikeLayer(norm: 0))
        XCTAssertThrowsError(try Img2SpikeLayer(tw: 0))
    }

    func testSig2SpikeUpsamplesAndDraws() throws {
        let signal = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try Sig2SpikeLayer(channelsIn: 2, tw: 2, spkOut: false).forward(signal).scalars,
                       [1, 4, 1, 4, 2, 5, 2, 5, 3, 6, 3, 6])
        let half = try Tensor(shape: [2, 3], values: Array(repeating: 0.5, count: 6))
        let spikes = try Sig2SpikeLayer(channelsIn: 2, seed: 42).forward(half)
        XCTAssertEqual(spikes.scalars, draws42.prefix(6).map { $0 < 0.5 ? 1 : 0 })
        XCTAssertThrowsError(try Sig2SpikeLayer(channelsIn: 2).forward(try Tensor(zeros: [3])))
    }

    func testNeuromorphicReLUAndQuantize() throws {
        let x = try Tensor(shape: [2, 4], values: [-1.5, 0, 0.5, 1.5, 2.5, 2.7, -0.2, 3])
        let floor = NeuromorphicReLU(fanout: 2)
        floor.training = true
        XCTAssertEqual(try floor.forward(x).scalars, [0, 0, 0, 1, 2, 2, 0, 3])
        XCTAssertEqual(floor.activity, 8 / 2 * 2)
        XCTAssertEqual(try floor.backward(try Tensor(shape: [2, 4], values: Array(repeating: 1, count: 8))).scalars,
                       [0, 0, 1, 1, 1, 1, 0, 1])
        let rounding = NeuromorphicReLU(stochasticRounding: true, seed: 42)
        XCTAssertEqual(try rounding.forward(x).scalars, [0, 0, 0, 2, 2, 3, 0, 3])
        rounding.training = true
        let stochastic = try rounding.forward(x).scalars
        for (i, value) in x.scalars.enumerated() {
            let r = max(value, 0), low = r.rounded(.down)
            XCTAssertEqual(stochastic[i], low + (draws42[i] < r - low ? 1 : 0))
        }
        let quantize = QuantizeLayer()
        quantize.training = true
        XCTAssertEqual(try quantize.forward(x).scalars, [-2, 0, 0, 1, 2, 2, -1, 3])
        XCTAssertEqual(try quantize.backward(x).scalars, x.scalars)
        XCTAssertEqual(try QuantizeLayer(quantize: false).forward(x).scalars, x.scalars)
    }

    func testDescriptionsRoundTripWithTheirStream() throws {
        let layer = try Img2SpikeLayer(tw: 3, maxRate: 700, norm: 2, seed: UInt64.max - 1)
        let copy = try LayerRegistry.makeLayer(layer.layerDescription)
        let image = try Tensor(shape: [5], values: [0, 0.5, 1, 1.5, 2])
        XCTAssertEqual(try copy.forward(image).scalars, try layer.forward(image).scalars)
        for kind in ["NeuromorphicReLU", "QuantizeLayer"] {
            XCTAssertNotNil(LayerRegistry.type(for: kind))
        }
    }

    func testEventBinning() throws {
        let t: [Double] = [0, 10, 25, 30, 5]
        let x: [Int32] = [0, 1, 2, 0, 1], y: [Int32] = [0, 0, 1, 1, 2], p: [Int32] = [1, 0, 1, -1, 1]
        let frames = try EventFrames.frames(t: t, x: x, y: y, p: p, height: 3, width: 3, binning: .window(10))
        XCTAssertEqual(frames.shape, [4, 2, 3, 3])
        XCTAssertEqual(frames.scalars.reduce(0, +), 5)
        XCTAssertEqual(frames.scalars[((3 * 2 + 0) * 3 + 1) * 3 + 0], 1)
        let bins = try EventFrames.frames(t: t, x: x, y: y, p: p, height: 3, width: 3, binning: .timeBins(2))
        XCTAssertEqual(bins.shape, [2, 2, 3, 3])
        XCTAssertThrowsError(try EventFrames.frames(t: t, x: [0, 1, 3, 0, 1], y: y, p: p, height: 3, width: 3,
                                                    binning: .window(10)))
        XCTAssertThrowsError(try EventFrames.frames(t: t, x: x, y: y, p: p, height: 3, width: 3, binning: .window(10),
                                                    tStart: 6))
        XCTAssertThrowsError(try EventFrames.frames(t: t, x: x, y: y, p: p, height: 3, width: 3, binning: .window(1e-300)))
    }
}
