#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Losses on a model's output: each gives the loss value and its gradient
/// w.r.t. the output (what `Sequential.backward` takes).
public enum Loss: Int32, Sendable, CaseIterable {
    /// mean((output - target)^2) over all elements (torch's mse_loss); the
    /// target has the output's shape.
    case meanSquaredError = 0
    /// Cross-entropy (torch's cross_entropy, mean over the batch) of the
    /// output summed over time, against integer class labels.
    case crossEntropySum = 1
    /// As crossEntropySum with the output averaged over time.
    case crossEntropyMean = 2

    /// (loss, d loss / d output). Throws `.shape` for a target that does not
    /// fit the output, `.invalidArgument` for labels that are not class indices.
    public func evaluate(output: Tensor, target: Tensor) throws -> (loss: Float, gradient: Tensor) {
        switch self {
        case .meanSquaredError: return try Self.meanSquaredError(output, target)
        case .crossEntropySum: return try Self.crossEntropy(output, labels: target, meanOverTime: false)
        case .crossEntropyMean: return try Self.crossEntropy(output, labels: target, meanOverTime: true)
        }
    }

    static func meanSquaredError(_ output: Tensor, _ target: Tensor) throws -> (loss: Float, gradient: Tensor) {
        guard target.shape == output.shape else {
            throw SinabsError.shape("MSE target must have the output's shape \(output.shape), got \(target.shape)")
        }
        let gradient = try Tensor(zeros: output.shape)
        let n = output.count
        guard n > 0, let y = output.baseAddress, let t = target.baseAddress, let g = gradient.baseAddress else {
            return (.nan, gradient)  // torch: the mean of nothing is NaN
        }
        var sum = 0.0
        let scale = 2 / Float(n)
        for i in 0..<n {
            let d = y[i] - t[i]
            sum += Double(d) * Double(d)
            g[i] = scale * d
        }
        return (Float(sum / Double(n)), gradient)
    }

    /// The output as (batch, time, classes): (B, T, C...) or squeezed
    /// (B*T, C) with B the number of labels; a (B, C) output is one step.
    static func layout(_ output: Tensor, batch: Int) throws -> (time: Int, classes: Int) {
        let shape = output.shape
        guard shape.count >= 2, batch > 0 else {
            throw SinabsError.shape("cross-entropy needs an output of rank >= 2 and at least one label, got \(shape) and \(batch) labels")
        }
        if shape.count >= 3 {
            guard shape[0] == batch else {
                throw SinabsError.shape("output (Batch, Time, ...) has batch \(shape[0]), labels \(batch)")
            }
            return (shape[1], try Shape.elementCount(Array(shape.dropFirst(2))))
        }
        guard shape[0] % batch == 0 else {
            throw SinabsError.shape("output (Batch*Time, C) has \(shape[0]) rows, not a multiple of \(batch) labels")
        }
        return (shape[0] / batch, shape[1])
    }

    static func crossEntropy(_ output: Tensor, labels: Tensor, meanOverTime: Bool) throws -> (loss: Float, gradient: Tensor) {
        guard labels.rank == 1 else {
            throw SinabsError.shape("labels must be a vector (Batch), got shape \(labels.shape)")
        }
        let batch = labels.count
        let (time, classes) = try layout(output, batch: batch)
        guard classes > 0, time > 0 else { throw SinabsError.shape("output \(output.shape) has no classes or steps") }
        let classOf = try labels.scalars.map { value -> Int in
            guard value.isFinite, value == value.rounded(), value >= 0, value < Float(classes) else {
                throw SinabsError.invalid("labels must be class indices in 0..<\(classes), got \(value)")
            }
            return Int(value)
        }
        let gradient = try Tensor(zeros: output.shape)
        guard let y = output.baseAddress, let g = gradient.baseAddress else { return (.nan, gradient) }
        let perStep = meanOverTime ? 1 / Float(time) : 1
        var total = 0.0
        var scores = [Double](repeating: 0, count: classes)
        for b in 0..<batch {
            for c in 0..<classes { scores[c] = 0 }
            for t in 0..<time {
                let row = y + (b * time + t) * classes
                for c in 0..<classes { scores[c] += Double(row[c]) }
            }
            // log-softmax of the shifted logits: no overflow, no log(0).
            let largest = scores.max() ?? 0
            var normaliser = 0.0
            for c in 0..<classes {
                scores[c] = (scores[c] - largest) * Double(perStep)
                normaliser += exp(scores[c])
            }
            let logNormaliser = log(normaliser)
            total += logNormaliser - scores[classOf[b]]
            for c in 0..<classes {
                let softmax = exp(scores[c] - logNormaliser) - (c == classOf[b] ? 1 : 0)
                let value = Float(softmax / Double(batch)) * perStep
                for t in 0..<time { g[(b * time + t) * classes + c] = value }
            }
        }
        return (Float(total / Double(batch)), gradient)
    }
}
