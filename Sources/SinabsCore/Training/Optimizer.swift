#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Updates a model's trainable parameters from their gradients, with
/// torch.optim's exact rules. State (momentum, moments) is kept per parameter
/// name and restarts when a parameter's shape changes.
public protocol Optimizer: AnyObject {
    /// One update of every parameter in `model.namedGradients()`.
    func step(_ model: Sequential) throws
}

/// torch.optim.SGD: g = grad + weight_decay * p; with momentum
/// buf = momentum * buf + (1 - dampening) * g (buf = g at the first step),
/// g = nesterov ? g + momentum * buf : buf; p -= lr * g.
public final class SGD: Optimizer {
    /// torch.optim.SGD's arguments.
    public struct Options: Equatable, Sendable {
        /// Step size.
        public var learningRate: Float
        /// Momentum factor (0: none).
        public var momentum: Float = 0
        /// Dampening of the momentum.
        public var dampening: Float = 0
        /// L2 penalty added to the gradient.
        public var weightDecay: Float = 0
        /// Nesterov momentum (needs momentum > 0 and no dampening).
        public var nesterov = false

        /// torch's defaults with learning rate `learningRate`.
        public init(learningRate: Float = 1e-3) { self.learningRate = learningRate }

        /// Throws `.invalidArgument` for a NaN, infinite or out-of-range value.
        public func validate() throws {
            try checkHyperParameter(learningRate, "lr", atLeast: 0)
            try checkHyperParameter(momentum, "momentum", atLeast: 0)
            try checkHyperParameter(dampening, "dampening", atLeast: -.greatestFiniteMagnitude)
            try checkHyperParameter(weightDecay, "weight_decay", atLeast: 0)
            if nesterov && (momentum <= 0 || dampening != 0) {
                throw SinabsError.invalid("nesterov momentum requires a momentum and zero dampening")
            }
        }
    }

    /// The hyper-parameters, validated.
    public let options: Options
    private var buffers: [String: Tensor] = [:]

    /// An optimizer with `options` (validated).
    public init(_ options: Options) throws {
        try options.validate()
        self.options = options
    }

    /// One update of every trainable parameter of `model`.
    public func step(_ model: Sequential) throws {
        let o = options
        for (name, parameter, gradient) in try model.namedGradients() {
            guard parameter.count == gradient.count, let p = parameter.baseAddress, let g = gradient.baseAddress else { continue }
            var buffer: UnsafeMutablePointer<Float>?
            var first = false
            if o.momentum != 0 {
                if let old = buffers[name], old.shape == parameter.shape {
                    buffer = old.baseAddress
                } else {
                    let fresh = try Tensor(zeros: parameter.shape)
                    buffers[name] = fresh
                    buffer = fresh.baseAddress
                    first = true
                }
            }
            for i in 0..<parameter.count {
                var d = g[i]
                if o.weightDecay != 0 { d += o.weightDecay * p[i] }
                if let buffer {
                    buffer[i] = first ? d : o.momentum * buffer[i] + (1 - o.dampening) * d
                    d = o.nesterov ? d + o.momentum * buffer[i] : buffer[i]
                }
                p[i] -= o.learningRate * d
            }
        }
    }
}

/// torch.optim.Adam (amsgrad off): g = grad + weight_decay * p;
/// m += (1 - beta1)(g - m); v = beta2 v + (1 - beta2) g^2;
/// p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).
public final class Adam: Optimizer {
    /// torch.optim.Adam's arguments (amsgrad off).
    public struct Options: Equatable, Sendable {
        /// Step size.
        public var learningRate: Float
        /// Decay of the first moment.
        public var beta1: Float = 0.9
        /// Decay of the second moment.
        public var beta2: Float = 0.999
        /// Added to the denominator.
        public var epsilon: Float = 1e-8
        /// L2 penalty added to the gradient.
        public var weightDecay: Float = 0

        /// torch's defaults with learning rate `learningRate`.
        public init(learningRate: Float = 1e-3) { self.learningRate = learningRate }

        /// Throws `.invalidArgument` for a NaN, infinite or out-of-range value.
        public func validate() throws {
            try checkHyperParameter(learningRate, "lr", atLeast: 0)
            try checkHyperParameter(epsilon, "eps", atLeast: 0)
            try checkHyperParameter(weightDecay, "weight_decay", atLeast: 0)
            for (beta, name) in [(beta1, "beta1"), (beta2, "beta2")] {
                guard beta.isFinite, beta >= 0, beta < 1 else {
                    throw SinabsError.invalid("\(name) must be in [0, 1), got \(beta)")
                }
            }
        }
    }

    /// The hyper-parameters, validated.
    public let options: Options
    private var moments: [String: (step: Int, m: Tensor, v: Tensor)] = [:]

    /// An optimizer with `options` (validated).
    public init(_ options: Options) throws {
        try options.validate()
        self.options = options
    }

    /// One update of every trainable parameter of `model`.
    public func step(_ model: Sequential) throws {
        let o = options
        for (name, parameter, gradient) in try model.namedGradients() {
            guard parameter.count == gradient.count, let p = parameter.baseAddress, let g = gradient.baseAddress else { continue }
            var state = moments[name]
            if state == nil || state?.m.shape != parameter.shape {
                state = (0, try Tensor(zeros: parameter.shape), try Tensor(zeros: parameter.shape))
            }
            guard let (previous, mTensor, vTensor) = state, let m = mTensor.baseAddress, let v = vTensor.baseAddress else { continue }
            let step = previous + 1
            moments[name] = (step, mTensor, vTensor)
            // torch computes the corrections in Python floats (double).
            let correction1 = 1 - power(Double(o.beta1), step)
            let correction2Root = (1 - power(Double(o.beta2), step)).squareRoot()
            let stepSize = Float(Double(o.learningRate) / correction1)
            let rootCorrection = Float(correction2Root)
            let weight1 = Float(1 - Double(o.beta1)), weight2 = Float(1 - Double(o.beta2))
            for i in 0..<parameter.count {
                var d = g[i]
                if o.weightDecay != 0 { d += o.weightDecay * p[i] }
                m[i] = lerp(m[i], d, weight1)
                v[i] = o.beta2 * v[i] + weight2 * (d * d)
                let denominator = v[i].squareRoot() / rootCorrection + o.epsilon
                p[i] -= stepSize * (m[i] / denominator)
            }
        }
    }
}

/// torch's lerp: exact at both ends, the form depends on the weight.
@inline(__always)
func lerp(_ start: Float, _ end: Float, _ weight: Float) -> Float {
    weight < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight)
}

func power(_ base: Double, _ exponent: Int) -> Double { pow(base, Double(exponent)) }

func checkHyperParameter(_ value: Float, _ name: String, atLeast minimum: Float) throws {
    guard value.isFinite, value >= minimum else {
        throw SinabsError.invalid("\(name) must be a finite number >= \(minimum), got \(value)")
    }
}
