/// Synaptic operations and firing rates of a model's forwards, as sinabs'
/// `SNNAnalyzer`: attach it, run forwards, read `layerStatistics` and
/// `modelStatistics`. Statistics are gathered during every forward (one pass
/// over each spiking layer's output and each Linear/Conv2d input), cheap
/// enough to leave on. Only spiking neuron layers (IAF, LIF, ALIF) count as
/// spiking: ExpLeak has no spikes.
///
/// As sinabs: synops of a Linear are the input events times out_features, of
/// a Conv2d the input events times their connection counts (edge-aware), both
/// per sample (mean over the batch, summed over time); a squeezed input is
/// unflattened with the (batch_size, num_timesteps) of the model's last
/// squeeze layer. A parameter layer's layer statistics are multiplied by the
/// kernel areas of the AvgPool2d layers since the previous parameter layer
/// (pooling averages the events away); the model's synops are not.
public final class SNNAnalyzer {
    /// The analysed model (its `forwardObserver` belongs to this analyzer).
    public let model: Sequential
    /// Milliseconds per time step (for synops per second).
    public let dt: Float
    private let unflattened: (batch: Int?, time: Int?)?
    private let spikingIndices: [Int]
    private var spiking: [Int: SpikingRecord] = [:]
    private var parameter: [Int: ParameterRecord] = [:]
    private var connectionMaps: [Int: (shape: [Int], map: [Float])] = [:]

    /// Per-forward work is two vectorized passes; rates are derived when asked for.
    struct SpikingRecord {
        var neuronShape: [Int]
        var lastSums: [Float]
        var lastSteps: Int
        var meanSums: [Float]
        var batches = 0
    }

    struct ParameterRecord {
        var synops: Float = 0
        var synopsSum: Double = 0
        var numTimesteps = 0
        var batches = 0
    }

    /// Attaches to `model` (replacing any other observer; it stops when this
    /// analyzer is released). `dt` > 0, finite.
    public init(_ model: Sequential, dt: Float = 1) throws {
        guard dt.isFinite, dt > 0 else { throw SinabsError.invalid("dt must be a finite number > 0, got \(dt)") }
        self.model = model
        self.dt = dt
        var squeeze: (Int?, Int?)? = nil
        var indices: [Int] = []
        for (index, layer) in model.layers.enumerated() {
            guard let neurons = layer as? NeuronLayer else { continue }
            // Any squeeze layer (ExpLeak too) tells how inputs unflatten, as in sinabs.
            if case .squeeze(let b, let t) = neurons.options.form { squeeze = (b, t) }
            if neurons.options.spikes { indices.append(index) }
        }
        unflattened = squeeze
        spikingIndices = indices
        model.forwardObserver = { [weak self] index, layer, input, output in
            self?.observe(index, layer, input, output)
        }
    }

    // No deinit detach: a newer analyzer may own the observer now; ours holds self weakly.

    /// Forgets every forward seen so far.
    public func reset() {
        spiking = [:]
        parameter = [:]
    }

    /// (batch, time) of `rows` squeezed rows, or nil when they do not divide.
    private func unsqueeze(_ rows: Int, _ batch: Int?, _ time: Int?) -> (Int, Int)? {
        if let batch, batch > 0, rows % batch == 0 { return (batch, rows / batch) }
        if let time, time > 0, rows % time == 0 { return (rows / time, time) }
        return nil
    }

    private func observe(_ index: Int, _ layer: Layer, _ input: Tensor, _ output: Tensor) {
        if let neurons = layer as? NeuronLayer, neurons.options.spikes {
            observeSpiking(index, neurons, output)
        } else if layer is Linear || layer is Conv2d {
            observeParameter(index, layer, input, output)
        }
    }

    private func observeSpiking(_ index: Int, _ layer: NeuronLayer, _ output: Tensor) {
        let shape = output.shape
        var bt: (Int, Int)?
        var neuronShape: [Int]
        switch layer.options.form {
        case .squeeze(let b, let t):
            guard !shape.isEmpty else { return }
            bt = unsqueeze(shape[0], b, t)
            neuronShape = Array(shape.dropFirst())
        default:
            guard shape.count >= 2 else { return }
            bt = (shape[0], shape[1])
            neuronShape = Array(shape.dropFirst(2))
        }
        guard let (batch, time) = bt, batch * time > 0, let y = output.baseAddress else { return }
        let neurons = neuronShape.reduce(1, *)
        let sums = Self.columnSums(y, rows: batch * time, width: neurons)
        var record = spiking[index] ?? SpikingRecord(neuronShape: neuronShape, lastSums: [], lastSteps: 0, meanSums: [])
        if record.meanSums.count != neurons || record.neuronShape != neuronShape {
            record = SpikingRecord(neuronShape: neuronShape, lastSums: [], lastSteps: 0,
                                   meanSums: [Float](repeating: 0, count: neurons))
        }
        let steps = Float(batch * time)
        record.meanSums.withUnsafeMutableBufferPointer { acc in
            sums.withUnsafeBufferPointer { s in
                for j in 0..<neurons { acc[j] += s[j] / steps }
            }
        }
        record.lastSums = sums
        record.lastSteps = batch * time
        record.batches += 1
        spiking[index] = record
    }

    private func observeParameter(_ index: Int, _ layer: Layer, _ input: Tensor, _ output: Tensor) {
        let shape = input.shape
        guard let first = shape.first, first > 0, let x = input.baseAddress else { return }
        var batch = first
        var timesteps = 0
        if let (b, t) = unflattened {
            guard let (ub, ut) = unsqueeze(first, b, t) else { return }
            (batch, timesteps) = (ub, ut)
        } else if layer is Linear, shape.count >= 3 {
            timesteps = shape[1]
        }
        var total = 0.0
        if let conv = layer as? Conv2d, shape.count == 4, output.shape.count == 4 {
            let map = connectionMap(index, conv, shape, output.shape)
            let sums = Self.columnSums(x, rows: first, width: map.count)
            for i in 0..<map.count { total += Double(sums[i] * map[i]) }
        } else if let linear = layer as? Linear {
            let width = first > 0 ? input.count / first : 0
            let sums = Self.columnSums(x, rows: first, width: width)
            total = sums.reduce(0.0) { $0 + Double($1) } * Double(linear.outFeatures)
        } else {
            return
        }
        let synops = Float(total / Double(batch))
        var record = parameter[index] ?? ParameterRecord()
        record.synops = synops
        record.synopsSum += Double(synops)
        record.numTimesteps = timesteps
        record.batches += 1
        parameter[index] = record
    }

    /// The sums over `rows` rows of `width` floats: element-wise adds, which vectorize.
    static func columnSums(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int) -> [Float] {
        var sums = [Float](repeating: 0, count: width)
        sums.withUnsafeMutableBufferPointer { acc in
            guard let a = acc.baseAddress else { return }
            for row in 0..<rows {
                let base = x + row * width
                for j in 0..<width { a[j] += base[j] }
            }
        }
        return sums
    }

    private func connectionMap(_ index: Int, _ conv: Conv2d, _ inputShape: [Int], _ outputShape: [Int]) -> [Float] {
        let key = Array(inputShape.dropFirst()) + Array(outputShape.suffix(2))
        if let cached = connectionMaps[index], cached.shape == key { return cached.map }
        let map = ConnectionMap.counts(for: conv, inputHeight: inputShape[2], inputWidth: inputShape[3],
                                       outputHeight: outputShape[2], outputWidth: outputShape[3])
        connectionMaps[index] = (key, map)
        return map
    }

    /// Statistics of every spiking layer that ran, by layer index: of the last
    /// forward, or averaged over every forward since `reset()`.
    public func spikingStatistics(average: Bool = false) -> [Int: SpikingLayerStatistics] {
        spiking.mapValues { record in
            let perNeuron = average ? record.meanSums.map { $0 / Float(record.batches) }
                                    : record.lastSums.map { $0 / Float(record.lastSteps) }
            let rate = perNeuron.reduce(0.0) { $0 + Double($1) } / Double(max(perNeuron.count, 1))
            return SpikingLayerStatistics(neuronCount: perNeuron.count, firingRate: Float(rate),
                                          firingRatePerNeuron: perNeuron, neuronShape: record.neuronShape)
        }
    }

    /// Statistics of every Linear and Conv2d layer that ran, by layer index,
    /// with sinabs' AvgPool2d correction.
    public func parameterStatistics(average: Bool = false) -> [Int: ParameterLayerStatistics] {
        var result: [Int: ParameterLayerStatistics] = [:]
        var scale: Float = 1
        for (index, layer) in model.layers.enumerated() {
            if let pool = layer as? AvgPool2d {
                scale *= Float(pool.geometry.kernel.height * pool.geometry.kernel.width)
                continue
            }
            guard layer is Linear || layer is Conv2d else { continue }
            defer { scale = 1 }
            guard let record = parameter[index] else { continue }
            let synops = (average ? Float(record.synopsSum / Double(record.batches)) : record.synops) * scale
            let window = Float(record.numTimesteps) * dt
            result[index] = ParameterLayerStatistics(synops: synops, numTimesteps: record.numTimesteps,
                                                     timeWindow: window, synopsPerSecond: synops / window * 1000)
        }
        return result
    }

    /// The model's firing rate (mean over all spiking neurons; a spiking
    /// layer that has not run counts as one silent neuron, as in sinabs),
    /// total synops and spiking neuron count.
    public func modelStatistics(average: Bool = false) -> ModelStatistics {
        var rates: [Float] = []
        var neurons = 0
        let spikingStats = spikingStatistics(average: average)
        for index in spikingIndices {
            if let s = spikingStats[index] {
                rates.append(contentsOf: s.firingRatePerNeuron)
                neurons += s.neuronCount
            } else {
                rates.append(0)
            }
        }
        var synops: Double = 0
        for record in parameter.values {
            synops += average ? record.synopsSum / Double(record.batches) : Double(record.synops)
        }
        let rate = rates.isEmpty ? Float.nan : Float(rates.reduce(0.0) { $0 + Double($1) } / Double(rates.count))
        return ModelStatistics(firingRate: rate, synops: Float(synops), spikingNeuronCount: neurons)
    }
}
