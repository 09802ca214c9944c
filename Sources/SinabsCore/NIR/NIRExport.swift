#if canImport(Glibc)
import Glibc
#endif

/// Our layers -> NIR nodes "0", "1", ... chained input -> 0 -> ... -> output,
/// with neuron parameters expanded to each layer's neuron shape. A layer NIR
/// cannot express is an error naming it, never dropped.
enum NIRExport {
    static func graph(_ model: Sequential, inputShape: [Int]) throws -> NIRGraph {
        // The smallest first dimension every squeeze layer accepts.
        let samples = try model.layers.reduce(1) { n, layer in
            guard let neuron = layer as? NeuronLayer, case .squeeze(let b, let t) = neuron.options.form else { return n }
            return try lcm(n, try Shape.elementCount([b ?? 1, t ?? 1]))
        }
        _ = try Shape.elementCount([samples] + inputShape)
        let shapes = try model.outputShapes(for: [samples] + inputShape).map { Array($0.dropFirst()) }
        var nodes = [NIRGraph.Node(name: "input", type: "Input", fields: [("shape", .ints(inputShape))])]
        for (index, layer) in model.layers.enumerated() {
            let received = index == 0 ? inputShape : shapes[index - 1]
            do {
                let (type, fields) = try node(layer, input: received)
                nodes.append(NIRGraph.Node(name: "\(index)", type: type, fields: fields))
            } catch let error as SinabsError {
                throw SinabsError(error.code, "layer \(index) (\(Sequential.kindName(of: layer))) cannot be written as NIR: \(error.message)")
            }
        }
        nodes.append(NIRGraph.Node(name: "output", type: "Output", fields: [("shape", .ints(shapes.last ?? inputShape))]))
        let names = nodes.map(\.name)
        return NIRGraph(nodes: nodes, edges: zip(names, names.dropFirst()).map { ($0, $1) })
    }

    static func node(_ layer: Layer, input: [Int]) throws -> (String, [(name: String, value: HDF5Value)]) {
        switch layer {
        case let linear as Linear:
            return ("Affine", [("weight", tensor(linear.weight)), ("bias", try bias(linear.bias, linear.outFeatures))])
        case let conv as Conv2d:
            let g = conv.geometry
            return ("Conv2d", [("bias", try bias(conv.bias, conv.outChannels)), ("dilation", .ints(g.dilation.values)),
                               ("groups", .ints([conv.groups], scalar: true)), ("input_shape", .ints(Array(input.suffix(2)))),
                               ("padding", .ints(g.padding.values)), ("stride", .ints(g.stride.values)), ("weight", tensor(conv.weight))])
        case let pool as SumPool2d:
            guard !pool.geometry.ceilMode else { throw SinabsError.invalid("ceil_mode has no NIR equivalent") }
            return ("SumPool2d", poolFields(pool.geometry))
        case let pool as AvgPool2d:
            guard !pool.geometry.ceilMode, pool.countIncludePad, pool.divisorOverride == nil else {
                throw SinabsError.invalid("ceil_mode, count_include_pad=False and divisor_override have no NIR equivalent")
            }
            return ("AvgPool2d", poolFields(pool.geometry))
        case let flatten as Flatten:
            guard flatten.startDim != 0, flatten.endDim != 0 else { throw SinabsError.invalid("it flattens the batch dimension") }
            func nirDim(_ d: Int) -> Int { d > 0 ? d - 1 : d }
            return ("Flatten", [("end_dim", .ints([nirDim(flatten.endDim)], scalar: true)), ("input_type", .ints(input)),
                                ("start_dim", .ints([nirDim(flatten.startDim)], scalar: true))])
        case let neuron as NeuronLayer:
            return try neuronNode(neuron, shape: input)
        default:
            throw SinabsError.invalid("NIR has no such node")
        }
    }

    static func neuronNode(_ layer: NeuronLayer, shape: [Int]) throws -> (String, [(name: String, value: HDF5Value)]) {
        let o = layer.options
        guard case .squeeze = o.form else { throw SinabsError.invalid("only squeeze-form neuron layers (Batch*Time, ...) can be written") }
        guard o.model != .alif else { throw SinabsError.invalid("NIR has no adaptive-threshold neuron") }
        guard o.minVMem == nil else { throw SinabsError.invalid("NIR neurons have no lower bound (min_v_mem); create the layer without it") }
        guard !(o.spikes && Self.isMaxSpike(o.spikeFunction)) else {
            throw SinabsError.invalid("MaxSpike has no NIR equivalent")
        }
        switch o.reset {
        case .subtract(nil): break
        case .subtract(let v?) where v == o.spikeThreshold: break
        case .membrane(0): break  // NIR cannot say it: load such files with reset to zero
        default: throw SinabsError.invalid("NIR neurons subtract the threshold (or reset to 0) after a spike; this layer resets otherwise")
        }
        let count = max(1, shape.reduce(1, *))
        guard count <= HDF5File.maxElements else {
            throw SinabsError.invalid("\(count) neurons per sample: too many to write one parameter per neuron")
        }
        func expanded(_ suffix: String) throws -> [Float] {
            guard let (name, tensor) = layer.timeConstant(suffix) else { return [] }
            let map = try BroadcastMap(from: tensor.shape, to: shape, name: name)
            let source = tensor.scalars.map { name.hasPrefix("alpha_") ? -1 / logf($0) : $0 }
            var out = [Float](repeating: 0, count: count)
            map.forEach { k, s in out[k] = source[s] }
            return out
        }
        func field(_ values: [Float]) -> HDF5Value { .floats(shape, values) }
        let ones = field(Array(repeating: 1, count: count)), zeros = field(Array(repeating: 0, count: count))
        let threshold = field(Array(repeating: layer.scalar("spike_threshold") ?? o.spikeThreshold, count: count))
        let tauMem = try expanded("mem")
        // norm_input scales the input by 1 - exp(-1/tau): that is NIR's r.
        let r = o.normalisesInput ? field(tauMem.map { 1 - expf(-1 / $0) }) : ones
        switch o.model {
        case .iaf:
            return ("IF", [("r", ones), ("v_threshold", threshold)])
        case .expLeak:
            return ("LI", [("r", r), ("tau", field(tauMem)), ("v_leak", zeros)])
        default:
            if o.tauSyn != nil {
                return ("CubaLIF", [("r", r), ("tau_mem", field(tauMem)), ("tau_syn", field(try expanded("syn"))),
                                    ("v_leak", zeros), ("v_threshold", threshold), ("w_in", ones)])
            }
            return ("LIF", [("r", r), ("tau", field(tauMem)), ("v_leak", zeros), ("v_threshold", threshold)])
        }
    }

    static func isMaxSpike(_ f: SpikeFunction) -> Bool {
        if case .max = f { return true }
        return false
    }

    static func tensor(_ t: Tensor) -> HDF5Value { .floats(t.shape, t.scalars) }

    static func bias(_ bias: Tensor?, _ count: Int) throws -> HDF5Value {
        bias.map(tensor) ?? .floats([count], Array(repeating: 0, count: count))
    }

    static func poolFields(_ g: WindowGeometry) -> [(name: String, value: HDF5Value)] {
        [("kernel_size", .ints(g.kernel.values)), ("padding", .ints(g.padding.values)), ("stride", .ints(g.stride.values))]
    }

    static func lcm(_ a: Int, _ b: Int) throws -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return try Shape.elementCount([a / max(x, 1), b])
    }
}
