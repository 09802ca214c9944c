#if canImport(Glibc)
import Glibc
#endif

/// How a NIR graph becomes layers (see docs/nir.md for the full mapping).
public struct NIRImportOptions: Equatable, Sendable {
    /// Squeeze form: the model runs on (Batch*Time, ...) input; give the
    /// batch size or the number of time steps (or both), like sinabs' from_nir.
    public var batchSize: Int?
    public var numTimesteps: Int?
    /// nil: one NIR time unit per step, sinabs' convention: decay
    /// exp(-1/tau), input gain r (times w_in for CubaLIF). A value: the graph
    /// was written for forward-Euler steps of `dt` (snnTorch writes dt = 1e-4):
    /// decay 1 - dt/tau, input gain r*dt/tau; for CubaLIF the synaptic decay
    /// 1 - dt/tau_syn and gain w_in*dt/tau_syn * r*dt/tau_mem / (1 - dt/tau_syn)
    /// (snnTorch adds the input before the synaptic decay, sinabs after).
    public var dt: Float?
    /// Reset to zero after a spike instead of subtracting the threshold.
    public var resetToZero = false
    /// At most one spike per neuron and step (NIR's and snnTorch's z in
    /// {0, 1}; SingleSpike) instead of sinabs' MultiSpike floor(v / threshold)
    /// (sinabs' from_nir). The two differ only where v reaches 2 thresholds.
    public var singleSpike = false

    public init(batchSize: Int? = nil, numTimesteps: Int? = nil, dt: Float? = nil, resetToZero: Bool = false,
                singleSpike: Bool = false) {
        self.batchSize = batchSize
        self.numTimesteps = numTimesteps
        self.dt = dt
        self.resetToZero = resetToZero
        self.singleSpike = singleSpike
    }
}

/// NIR nodes -> our layers. Input gains (r, w_in) and per-neuron thresholds
/// are folded into the weights of the Affine/Linear/Conv2d node before the
/// neurons: the spikes are the same, the membrane is scaled.
struct NIRImport {
    let options: NIRImportOptions
    var layers: [Layer] = []
    var inputShape: [Int] = []
    var outputShape: [Int] = []
    /// Layer index -> (node, the neuron shape its parameters have), checked against the model's shapes.
    var neuronShapes: [(layer: Int, node: String, shape: [Int])] = []

    static func layers(_ graph: NIRGraph, _ options: NIRImportOptions) throws -> [Layer] {
        if let dt = options.dt, !(dt.isFinite && dt > 0) {
            throw SinabsError.invalid("NIR import: dt must be a finite number > 0, got \(dt)")
        }
        for size in [options.batchSize, options.numTimesteps].compactMap({ $0 }) where !(1...Int(Int32.max)).contains(size) {
            throw SinabsError.invalid("NIR import: batch_size and num_timesteps must be in 1...\(Int32.max), got \(size)")
        }
        var importer = NIRImport(options: options)
        for node in try graph.chain() { try importer.add(node) }
        try importer.checkShapes()
        return importer.layers
    }

    mutating func add(_ node: NIRGraph.Node) throws {
        switch node.type {
        case "Input": inputShape = try node.ints("shape")
        case "Output": outputShape = try node.ints("shape")
        case "Affine", "Linear": layers.append(try Self.linear(node))
        case "Conv2d": layers.append(try Self.conv2d(node))
        case "SumPool2d", "AvgPool2d": layers += try Self.pool(node)
        case "Flatten":
            func torchDim(_ d: Int) -> Int { d >= 0 ? d + 1 : d }  // NIR dims exclude the batch
            layers.append(try Flatten(startDim: torchDim(try node.int("start_dim")), endDim: torchDim(try node.int("end_dim"))))
        case "IF", "LIF", "LI", "CubaLIF": try addNeurons(node)
        case "Conv1d": throw node.error("Conv1d is not supported (our layers are 2-D)")
        default: throw node.error("unsupported NIR node type")
        }
    }

    static func linear(_ node: NIRGraph.Node) throws -> Linear {
        let weight = try node.floats("weight")
        guard weight.shape.count == 2 else { throw node.error("weight must be (out, in), got \(weight.shape)", .shape) }
        let bias = node.type == "Affine" ? try node.floats("bias") : nil
        if let bias, bias.shape != [weight.shape[0]] {
            throw node.error("bias has shape \(bias.shape), weight \(weight.shape)", .shape)
        }
        let layer = try Linear(inFeatures: weight.shape[1], outFeatures: weight.shape[0], bias: bias != nil)
        try layer.weight.copyElements(from: try Tensor(shape: weight.shape, values: weight.values))
        if let bias, let target = layer.bias { try target.copyElements(from: try Tensor(shape: bias.shape, values: bias.values)) }
        return layer
    }

    static func conv2d(_ node: NIRGraph.Node) throws -> Conv2d {
        let weight = try node.floats("weight"), bias = try node.floats("bias")
        guard weight.shape.count == 4, bias.shape == [weight.shape[0]] else {
            throw node.error("weight must be (out, in/groups, kh, kw) and bias (out), got \(weight.shape) and \(bias.shape)", .shape)
        }
        let kernel = Pair2d(weight.shape[2], weight.shape[3])
        let stride = try node.pair("stride"), dilation = try node.pair("dilation"), groups = try node.int("groups")
        let padding: Pair2d
        switch try node.text("padding") {
        case "valid"?: padding = Pair2d(0)
        case "same"?:
            guard kernel.height % 2 == 1, kernel.width % 2 == 1, stride == Pair2d(1) else {
                throw node.error("padding 'same' needs odd kernels and stride 1")
            }
            padding = Pair2d(dilation.height * (kernel.height - 1) / 2, dilation.width * (kernel.width - 1) / 2)
        case let other?: throw node.error("unknown padding '\(other)'")
        case nil: padding = try node.pair("padding")
        }
        guard groups >= 1, weight.shape[1] <= Int(Int32.max) / groups else { throw node.error("groups must be >= 1, got \(groups)") }
        let layer = try Conv2d(inChannels: weight.shape[1] * groups, outChannels: weight.shape[0], kernelSize: kernel,
                               stride: stride, padding: padding, dilation: dilation, groups: groups, bias: true)
        try layer.weight.copyElements(from: try Tensor(shape: weight.shape, values: weight.values))
        try layer.bias?.copyElements(from: try Tensor(shape: bias.shape, values: bias.values))
        return layer
    }

    /// SumPool2d with padding becomes ZeroPad2d + SumPool2d; AvgPool2d pads itself.
    static func pool(_ node: NIRGraph.Node) throws -> [Layer] {
        let kernel = try node.pair("kernel_size"), stride = try node.pair("stride"), padding = try node.pair("padding")
        if node.type == "AvgPool2d" { return [try AvgPool2d(kernelSize: kernel, stride: stride, padding: padding)] }
        let pool = try SumPool2d(kernelSize: kernel, stride: stride)
        guard padding != Pair2d(0) else { return [pool] }
        return [try ZeroPad2d(padding: [padding.width, padding.width, padding.height, padding.height]), pool]
    }

    // MARK: Neurons

    mutating func addNeurons(_ node: NIRGraph.Node) throws {
        let names: [String]
        switch node.type {
        case "IF": names = ["r", "v_threshold"]
        case "LIF": names = ["tau", "r", "v_leak", "v_threshold"]
        case "LI": names = ["tau", "r", "v_leak"]
        default: names = ["tau_syn", "tau_mem", "r", "v_leak", "v_threshold"] + (node.has("w_in") ? ["w_in"] : [])
        }
        var p: [String: [Float]] = [:]
        var shape: [Int]? = nil
        for name in names {
            let field = try node.floats(name)
            if let shape, shape != field.shape, field.values.count != 1 {
                throw node.error("'\(name)' has shape \(field.shape), other parameters \(shape)", .shape)
            }
            if field.values.count != 1 || shape == nil { shape = field.shape }
            p[name] = field.values
        }
        let neuronShape = shape ?? []
        let count = max(1, neuronShape.reduce(1, *))
        func param(_ name: String, default value: Float = 1) -> [Float] {
            let v = p[name] ?? [value]
            return v.count == 1 ? Array(repeating: v[0], count: count) : v
        }
        if let leak = p["v_leak"], leak.contains(where: { $0 != 0 }) { throw node.error("v_leak must be 0 (our neurons leak to 0)") }
        let dt = options.dt
        var gain = param("r")
        func decayTau(_ taus: [Float], _ name: String) throws -> [Float] {
            guard taus.allSatisfy({ $0 > 0 }) else { throw node.error("\(name) must be > 0") }
            guard let dt else { return taus }
            return try taus.map { tau in
                let alpha = 1 - dt / tau
                guard alpha > 0, alpha < 1 else { throw node.error("\(name) = \(tau) is not above dt = \(dt) (forward Euler needs dt < tau)") }
                return -1 / logf(alpha)
            }
        }
        var neuron = NeuronOptions(node.type == "IF" ? .iaf : node.type == "LI" ? .expLeak : .lif)
        neuron.form = .squeeze(batchSize: options.batchSize, numTimesteps: options.numTimesteps)
        neuron.normInput = false
        neuron.reset = options.resetToZero ? .membrane(value: 0) : .subtract(value: nil)
        if options.singleSpike { neuron.spikeFunction = .single }
        var tauMem: [Float]? = nil, tauSyn: [Float]? = nil
        switch node.type {
        case "IF":
            if let dt { gain = gain.map { $0 * dt } }
        case "LIF", "LI":
            let tau = param("tau")
            tauMem = try decayTau(tau, "tau")
            if let dt { gain = zip(gain, tau).map { $0 * dt / $1 } }
        default:
            let tm = param("tau_mem"), ts = param("tau_syn"), wIn = param("w_in")
            tauMem = try decayTau(tm, "tau_mem")
            tauSyn = try decayTau(ts, "tau_syn")
            gain = (0..<count).map { k in
                guard let dt else { return gain[k] * wIn[k] }
                return wIn[k] * dt / ts[k] * gain[k] * dt / tm[k] / (1 - dt / ts[k])
            }
        }
        if node.type != "LI" {
            let threshold = param("v_threshold")
            guard threshold.allSatisfy({ $0 > 0 }) else { throw node.error("v_threshold must be > 0") }
            if Set(threshold).count == 1 {
                neuron.spikeThreshold = threshold[0]
            } else {  // per-neuron thresholds: scale each neuron's input instead, threshold 1
                gain = zip(gain, threshold).map { $0 / $1 }
                neuron.spikeThreshold = 1
            }
        }
        // Exporters' float rounding (r = tau/dt): a gain within 1e-6 of 1 is 1.
        if gain.allSatisfy({ abs($0 - 1) <= 1e-6 }) { gain = gain.map { _ in 1 } }
        // A gain of 1 - exp(-1/tau) on LIF/LI is norm_input (how we write it).
        if let tauMem, tauSyn == nil, gain.contains(where: { $0 != 1 }),
           zip(gain, tauMem).allSatisfy({ abs($0 - (1 - expf(-1 / $1))) <= 1e-6 }) {
            neuron.normInput = true
            gain = gain.map { _ in 1 }
        }
        if let tauMem, Set(tauMem).count == 1 { neuron.tauMem = tauMem[0] }
        if let tauSyn { neuron.tauSyn = tauSyn[0] }
        let layer = try NeuronLayer(neuron)
        let tensorShape = neuronShape.isEmpty ? [count] : neuronShape
        if let tauMem, Set(tauMem).count > 1 { try layer.setParameter(named: "tau_mem", to: try Tensor(shape: tensorShape, values: tauMem)) }
        if let tauSyn, Set(tauSyn).count > 1 { try layer.setParameter(named: "tau_syn", to: try Tensor(shape: tensorShape, values: tauSyn)) }
        try foldGain(gain, shape: neuronShape, into: node)
        if count > 1 { neuronShapes.append((layers.count, node.name, neuronShape)) }
        layers.append(layer)
    }

    /// Multiplies the outputs of the previous weight layer by `gain` (per
    /// neuron of `shape`): rows of a Linear, channels of a Conv2d.
    func foldGain(_ gain: [Float], shape: [Int], into node: NIRGraph.Node) throws {
        guard gain.contains(where: { $0 != 1 }) else { return }
        let rows: [Float]
        switch layers.last {
        case let linear as Linear:
            guard gain.count == 1 || gain.count == linear.outFeatures else {
                throw node.error("has \(gain.count) neurons after an Affine of \(linear.outFeatures) outputs", .shape)
            }
            rows = gain.count == 1 ? Array(repeating: gain[0], count: linear.outFeatures) : gain
            scale(linear.weight, linear.bias, rows)
        case let conv as Conv2d:
            let perChannel = gain.count / max(1, conv.outChannels)
            guard gain.count == 1 || (gain.count % conv.outChannels == 0 && shape.first == conv.outChannels) else {
                throw node.error("neuron shape \(shape) does not fit a Conv2d of \(conv.outChannels) channels", .shape)
            }
            rows = (0..<conv.outChannels).map { c in gain.count == 1 ? gain[0] : gain[c * perChannel] }
            for c in 0..<conv.outChannels where gain.count > 1 {
                guard gain[c * perChannel..<(c + 1) * perChannel].allSatisfy({ $0 == rows[c] }) else {
                    throw node.error("input gains (r, w_in, dt or per-neuron v_threshold) vary within a channel; cannot fold them into the Conv2d before")
                }
            }
            scale(conv.weight, conv.bias, rows)
        default:
            throw node.error("its input gain (r, w_in, dt or per-neuron v_threshold) is not 1 and it does not follow an Affine, Linear or Conv2d node to fold it into")
        }
    }

    private func scale(_ weight: Tensor, _ bias: Tensor?, _ rows: [Float]) {
        let perRow = weight.count / max(1, rows.count)
        weight.withUnsafeMutableBufferPointer { w in
            for (r, g) in rows.enumerated() { for k in r * perRow..<(r + 1) * perRow { w[k] *= g } }
        }
        bias?.withUnsafeMutableBufferPointer { b in for (r, g) in rows.enumerated() { b[r] *= g } }
    }

    /// The Input shape runs through every layer to the Output shape; each
    /// neuron node's parameter shape is the shape it receives.
    func checkShapes() throws {
        let samples = (options.batchSize ?? 1) * (options.numTimesteps ?? 1)
        _ = try Shape.elementCount([samples] + inputShape)
        _ = try Shape.elementCount(outputShape)
        let shapes = try Sequential(layers).outputShapes(for: [samples] + inputShape)
        let produced = Array((shapes.last ?? [samples] + inputShape).dropFirst())
        guard produced == outputShape else {
            throw SinabsError.shape("NIR graph: the Input shape \(inputShape) gives \(produced) through the nodes, but the Output node says \(outputShape)")
        }
        for (index, node, shape) in neuronShapes {
            let received = Array((index == 0 ? [samples] + inputShape : shapes[index - 1]).dropFirst())
            guard received == shape else {
                throw SinabsError.shape("NIR node '\(node)': its parameters have shape \(shape) but it receives \(received)")
            }
        }
    }
}
