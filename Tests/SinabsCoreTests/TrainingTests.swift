import XCTest
@testable import SinabsCore

/// Losses against finite differences and closed forms, optimizer rules
/// written out, clipping, and a model that learns.
final class TrainingTests: XCTestCase {
    func testMeanSquaredError() throws {
        let y = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let t = try Tensor(shape: [2, 2], values: [0, 2, 5, 4])
        let (loss, gradient) = try Loss.meanSquaredError.evaluate(output: y, target: t)
        XCTAssertEqual(loss, 1.25)  // (1 + 0 + 4 + 0) / 4
        XCTAssertEqual(gradient.scalars, [0.5, 0, -1, 0])
        XCTAssertEqual(errorCode { _ = try Loss.meanSquaredError.evaluate(output: y, target: try Tensor(zeros: [4])) }, .shape)
    }

    func testCrossEntropyMatchesFiniteDifferencesInBothLayouts() throws {
        let labels = try Tensor(shape: [2], values: [2, 0])
        for loss in [Loss.crossEntropySum, .crossEntropyMean] {
            let output = try randomTensor([2, 3, 4], seed: 7, in: 0...2)
            let (value, gradient) = try loss.evaluate(output: output, target: labels)
            let (squeezedValue, squeezedGradient) = try loss.evaluate(output: try output.reshaped([6, 4]), target: labels)
            XCTAssertEqual(value, squeezedValue)
            XCTAssertEqual(gradient.scalars, squeezedGradient.scalars)
            let h: Float = 1e-2
            for i in [0, 5, 13, 23] {
                let plus = try output.copy(), minus = try output.copy()
                plus.baseAddress![i] += h
                minus.baseAddress![i] -= h
                let numeric = (try loss.evaluate(output: plus, target: labels).loss
                               - (try loss.evaluate(output: minus, target: labels).loss)) / (2 * h)
                XCTAssertEqual(gradient.scalars[i], numeric, accuracy: 2e-3, "\(loss) element \(i)")
            }
        }
        // Uniform scores: log(classes).
        let (uniform, _) = try Loss.crossEntropySum.evaluate(output: try Tensor(zeros: [1, 2, 4]), target: try Tensor(shape: [1], values: [1]))
        XCTAssertEqual(uniform, log(4), accuracy: 1e-6)
        // Huge scores stay finite.
        let (big, _) = try Loss.crossEntropySum.evaluate(output: try Tensor(shape: [1, 1, 2], values: [1e30, 0]), target: try Tensor(shape: [1], values: [1]))
        XCTAssertEqual(big, 1e30, accuracy: 1e24)
    }

    func testCrossEntropyRefusesBadLabels() throws {
        let output = try Tensor(zeros: [2, 3, 4])
        for labels in [[0, 4], [0, -1], [0.5, 1], [Float.nan, 1]] {
            XCTAssertEqual(errorCode { _ = try Loss.crossEntropySum.evaluate(output: output, target: try Tensor(shape: [2], values: labels)) },
                           .invalidArgument, "\(labels)")
        }
        XCTAssertEqual(errorCode { _ = try Loss.crossEntropySum.evaluate(output: output, target: try Tensor(zeros: [3])) }, .shape)
        XCTAssertEqual(errorCode { _ = try Loss.crossEntropySum.evaluate(output: try Tensor(zeros: [5, 4]), target: try Tensor(zeros: [2])) }, .shape)
        XCTAssertEqual(errorCode { _ = try Loss.crossEntropySum.evaluate(output: output, target: try Tensor(zeros: [2, 1])) }, .shape)
    }

    /// One Linear(1 -> 1, no bias) with weight w and a fixed gradient source:
    /// the update sequence written out by hand from torch's documentation.
    private func linearModel(_ w: Float) throws -> Sequential {
        let layer = try Linear(inFeatures: 1, outFeatures: 1, bias: false)
        try layer.setParameter(named: "weight", to: try Tensor(shape: [1, 1], values: [w]))
        return Sequential([layer])
    }

    private func setGradient(_ model: Sequential, _ g: Float) throws {
        try model.gradient(named: "0.weight").fill(g)
    }

    func testSGDWithMomentumDampeningWeightDecayAndNesterov() throws {
        var options = SGD.Options(learningRate: 0.1)
        options.momentum = 0.9
        options.weightDecay = 0.01
        options.dampening = 0.5
        let model = try linearModel(1)
        let sgd = try SGD(options)
        var p: Float = 1, buffer: Float = 0
        for (step, g) in [Float(0.5), -0.25, 1].enumerated() {
            try setGradient(model, g)
            try sgd.step(model)
            let d = g + 0.01 * p
            buffer = step == 0 ? d : 0.9 * buffer + 0.5 * d
            p -= 0.1 * buffer
            XCTAssertEqual(try model.parameter(named: "0.weight").scalars[0], p, "step \(step)")
        }
        options.dampening = 0
        options.nesterov = true
        let nesterov = try SGD(options)
        let other = try linearModel(1)
        try setGradient(other, 2)
        try nesterov.step(other)
        let d: Float = 2 + 0.01
        XCTAssertEqual(try other.parameter(named: "0.weight").scalars[0], 1 - 0.1 * (d + 0.9 * d))
    }

    func testAdamBiasCorrection() throws {
        var options = Adam.Options(learningRate: 0.01)
        options.weightDecay = 0.1
        let model = try linearModel(2)
        let adam = try Adam(options)
        var p = 2.0, m = 0.0, v = 0.0
        for (step, g) in [0.3, -0.1, 0.7, 0.2].enumerated() {
            try setGradient(model, Float(g))
            try adam.step(model)
            let d = g + 0.1 * p
            m = 0.9 * m + 0.1 * d
            v = 0.999 * v + 0.001 * d * d
            let t = Double(step + 1)
            p -= 0.01 / (1 - pow(0.9, t)) * m / (v.squareRoot() / (1 - pow(0.999, t)).squareRoot() + 1e-8)
            XCTAssertEqual(Double(try model.parameter(named: "0.weight").scalars[0]), p, accuracy: 1e-6, "step \(step)")
        }
    }

    func testOptimizerOptionsAreValidated() {
        for (field, value) in [("lr", Float.nan), ("lr", -1), ("momentum", .infinity)] {
            var o = SGD.Options(learningRate: 0.1)
            if field == "lr" { o.learningRate = value } else { o.momentum = value }
            XCTAssertEqual(errorCode { _ = try SGD(o) }, .invalidArgument, "\(field) \(value)")
        }
        var nesterov = SGD.Options(learningRate: 0.1)
        nesterov.nesterov = true
        XCTAssertEqual(errorCode { _ = try SGD(nesterov) }, .invalidArgument)
        for beta in [Float.nan, 1, -0.1] {
            var o = Adam.Options()
            o.beta2 = beta
            XCTAssertEqual(errorCode { _ = try Adam(o) }, .invalidArgument, "beta2 \(beta)")
        }
        var eps = Adam.Options()
        eps.epsilon = .nan
        XCTAssertEqual(errorCode { _ = try Adam(eps) }, .invalidArgument)
    }

    func testClippingByGlobalNorm() throws {
        let model = try smallSpikingModel()
        try model.gradient(named: "0.weight").fill(0)
        try model.gradient(named: "0.bias").fill(0)
        try model.gradient(named: "1.tau_mem").fill(3)
        try model.gradient(named: "2.weight").fill(0)
        try model.gradient(named: "2.weight").baseAddress!.pointee = 4
        XCTAssertEqual(try model.clipGradientNorm(maxNorm: 10), 5)
        XCTAssertEqual(try model.gradient(named: "1.tau_mem").scalars, [3], "below the limit: unchanged")
        XCTAssertEqual(try model.clipGradientNorm(maxNorm: 1), 5)
        XCTAssertEqual(try model.gradient(named: "1.tau_mem").scalars[0], 3 / (5 + 1e-6), accuracy: 1e-6)
        XCTAssertEqual(try model.gradient(named: "2.weight").scalars[0], 4 / (5 + 1e-6), accuracy: 1e-6)
        XCTAssertEqual(errorCode { try model.clipGradientNorm(maxNorm: .nan) }, .invalidArgument)
    }

    /// Two classes of constant input currents: a few Adam steps of the whole
    /// model through the one-call train step bring the loss down.
    func testTrainStepLearns() throws {
        let model = try smallSpikingModel(inputs: 4, hidden: 16, outputs: 2)
        let input = try Tensor(shape: [4, 6, 4], values: (0..<4).flatMap { b -> [Float] in
            let pattern: [Float] = b % 2 == 0 ? [0.9, 0.1, 0.8, 0] : [0.1, 0.9, 0, 0.8]
            return (0..<6).flatMap { _ in pattern }
        })
        let labels = try Tensor(shape: [4], values: [0, 1, 0, 1])
        let adam = try Adam(Adam.Options(learningRate: 0.05))
        var losses: [Float] = []
        for _ in 0..<40 {
            model.resetStates()
            losses.append(try model.trainStep(input: input, target: labels, loss: .crossEntropySum, optimizer: adam,
                                              maxGradientNorm: 5))
        }
        XCTAssertFalse(model.training, "train step restores the mode")
        XCTAssertLessThan(losses.suffix(5).reduce(0, +) / 5, losses[0] * 0.5, "\(losses)")
        XCTAssertEqual(errorCode { _ = try model.trainStep(input: try Tensor(zeros: [4, 6, 5]), target: labels, loss: .crossEntropySum,
                                                           optimizer: adam) }, .shape)
    }
}
