import CSinabsKernels

/// Layers run in order, each output feeding the next (torch.nn.Sequential).
///
/// Works with any `Layer`, in whatever input layout its layers take: the
/// squeeze form (Batch*Time, ...) or (Batch, Time, ...). Parameters and
/// gradients are named like torch's `named_parameters()`: "<index>.<name>"
/// ("0.weight", "1.tau_mem").
///
/// A forward first checks the whole chain of shapes (`outputShapes(for:)`),
/// so a wrong input fails before any layer's state changes; the error names
/// the layer index.
public final class Sequential {
    /// The layers, in the order they run.
    public private(set) var layers: [Layer]
    /// The input shape of the last successful forward or `build`.
    public private(set) var inputShape: [Int]?
    /// The output shape of every layer for `inputShape` (what `summary()` shows).
    public private(set) var layerOutputShapes: [[Int]] = []
    /// True once a forward ran for the recorded shapes (firing rates are then known).
    public private(set) var hasForwardRun = false

    /// Called after each layer's forward with (layer index, layer, its input,
    /// its output), e.g. by `SNNAnalyzer`; the tensors are valid only during the call.
    public var forwardObserver: ((Int, Layer, Tensor, Tensor) -> Void)?
    /// How many Conv2d -> neuron -> SumPool2d blocks the last forward ran
    /// fused (ConvBlock; for tests and benchmarks).
    public private(set) var lastFusedBlocks = 0
    /// How many of them handed their output channels-last to the next block
    /// (ConvBlock.handsOffChannelsLast; for tests).
    public private(set) var lastChannelsLastHandOffs = 0
    /// Recycled output memory per layer index (recycledOutput).
    private var outputPools: [Int: RecycledBuffer] = [:]
    private var planePool: RecycledBuffer?

    /// Training mode of every layer: forward keeps what backward needs.
    /// Setting it sets it on each layer (and on layers appended later).
    public var training = false {
        didSet { for layer in layers { layer.training = training } }
    }

    /// A model running `layers` in order.
    public init(_ layers: [Layer] = []) {
        self.layers = layers
    }

    /// Adds `layer` at the end, in the model's training mode.
    public func append(_ layer: Layer) {
        layer.training = training
        layers.append(layer)
        outputPools = [:]
        planePool = nil
        inputShape = nil
        layerOutputShapes = []
        hasForwardRun = false
    }

    /// Replaces every layer at once (used by `load`).
    func replaceLayers(_ newLayers: [Layer]) {
        for layer in newLayers { layer.training = training }
        layers = newLayers
        outputPools = [:]
        planePool = nil
        inputShape = nil
        layerOutputShapes = []
        hasForwardRun = false
    }

    /// The output shape of every layer for an input of `shape`; throws a
    /// `.shape` error naming the first layer that does not accept its input.
    public func outputShapes(for shape: [Int]) throws -> [[Int]] {
        var current = shape
        var shapes: [[Int]] = []
        shapes.reserveCapacity(layers.count)
        for (index, layer) in layers.enumerated() {
            current = try Self.naming(index, layer) { try layer.outputShape(for: current) }
            shapes.append(current)
        }
        return shapes
    }

    /// Validates the model for inputs of `shape` and records the per-layer
    /// output shapes (for `summary()`), without running it.
    @discardableResult
    public func build(inputShape shape: [Int]) throws -> [[Int]] {
        _ = try Shape.elementCount(shape)
        let shapes = try outputShapes(for: shape)
        if shape != inputShape { hasForwardRun = false }
        inputShape = shape
        layerOutputShapes = shapes
        return shapes
    }

    /// The last layer's output for `input`, each layer's output feeding the
    /// next; the whole chain of shapes is checked first (`build`).
    ///
    /// - Throws: the first failing layer's ``SinabsError``, its message
    ///   prefixed with the layer's index and kind.
    public func forward(_ input: Tensor) throws -> Tensor {
        let shapes = try build(inputShape: input.shape)
        var x = input
        var index = 0
        var channelsLast = false  // x's frames as a fused block handed them on
        var nonzero: Int?  // x's non-zero count, where a fused block counted it
        lastFusedBlocks = 0
        lastChannelsLastHandOffs = 0
        while index < layers.count {
            let layer = layers[index]
            // Inference: Conv2d -> neuron -> SumPool2d frame by frame (ConvBlock).
            if forwardObserver == nil, let block = ConvBlock(layers, at: index) {
                let last = index + block.count - 1
                let inputShape = index == 0 ? input.shape : shapes[index - 1]
                let handOff = block.handsOffChannelsLast(to: ConvBlock(layers, at: last + 1), inputShape: inputShape)
                let output = try recycledOutput(last, shape: shapes[last])
                let current = x, inputChannelsLast = channelsLast, inputNonzero = nonzero
                if let counted = try Self.naming(index, layer, {
                    try block.forward(current, into: output, inputChannelsLast: inputChannelsLast,
                                      outputChannelsLast: handOff, inputNonzero: inputNonzero)
                }) {
                    x = output
                    nonzero = counted
                    channelsLast = handOff
                    index += block.count
                    lastFusedBlocks += 1
                    if handOff { lastChannelsLastHandOffs += 1 }
                    continue
                }
            }
            nonzero = nil
            if channelsLast {  // the next block did not run fused after all
                x = try planes(ofChannelsLast: x)
                channelsLast = false
            }
            let current = x
            x = try Self.naming(index, layer) {
                // Neuron layers and Repeat recycle their own outputs.
                if layer is NeuronLayer || layer is Repeat { return try layer.forward(current) }
                let output = try recycledOutput(index, shape: shapes[index])
                try layer.forward(current, into: output)
                return output
            }
            forwardObserver?(index, layer, current, x)
            index += 1
        }
        hasForwardRun = true
        return x
    }

    /// A fused block's channels-last output (N, H, W, C in the memory of an
    /// (N, C, H, W) tensor) as planes, in a buffer of its own.
    private func planes(ofChannelsLast x: Tensor) throws -> Tensor {
        let image = try ImageLayout(x.shape, "Sequential")
        var pool = planePool
        defer { planePool = pool }
        let planes = try RecycledBuffer.tensor(shape: x.shape, from: &pool)
        if let from = x.baseAddress, let to = planes.baseAddress {
            snk_frames_to_planes(from, to, Int64(image.batch), Int64(image.height * image.width),
                                 Int64(image.channels))
        }
        return planes
    }

    /// Memory for layer `index`'s output, reused once the last one lent out
    /// has been released (by the next layer, or by the caller for the model's
    /// output): a forward then does not allocate and first-touch its
    /// intermediates (30 MB per layer on workload B).
    private func recycledOutput(_ index: Int, shape: [Int]) throws -> Tensor {
        var pool = outputPools[index]
        defer { outputPools[index] = pool }
        return try RecycledBuffer.tensor(shape: shape, from: &pool)
    }

    /// Backward through the last training forward, layer by layer in reverse:
    /// the gradient w.r.t. the model's input. Parameter gradients accumulate
    /// in the layers (see `namedGradients`).
    public func backward(_ gradOutput: Tensor) throws -> Tensor {
        try backward(gradOutput, inputGradient: true)
    }

    /// Backward for the parameter gradients only: as `backward`, but a first
    /// Conv2d or Linear layer skips the gradient w.r.t. the model's input
    /// (a training loop never reads it; on a conv SNN it is a large dense
    /// product).
    public func backwardParameters(_ gradOutput: Tensor) throws {
        _ = try backward(gradOutput, inputGradient: false)
    }

    private func backward(_ gradOutput: Tensor, inputGradient: Bool) throws -> Tensor {
        guard let outputShape = layerOutputShapes.last ?? inputShape else {
            throw SinabsError(.state, "backward needs a training forward first")
        }
        guard gradOutput.shape == outputShape else {
            throw SinabsError.shape("grad_output must have the model's output shape \(outputShape), got \(gradOutput.shape)")
        }
        var gradient = gradOutput
        for (index, layer) in layers.enumerated().reversed() {
            let current = gradient
            gradient = try Self.naming(index, layer) {
                if index == 0, !inputGradient {
                    if let conv = layer as? Conv2d { return try conv.backward(current, inputGradient: false) }
                    if let linear = layer as? Linear { return try linear.backward(current, inputGradient: false) }
                }
                return try layer.backward(current)
            }
        }
        return gradient
    }

    /// Zeroes every layer's states.
    public func resetStates() {
        for layer in layers { layer.resetStates(randomize: false, ranges: [:], seed: 0) }
    }

    /// Runs `body`, prefixing a thrown error's message with the layer index.
    static func naming<T>(_ index: Int, _ layer: Layer, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SinabsError {
            throw SinabsError(error.code, "layer \(index) (\(kindName(of: layer))): \(error.message)")
        }
    }

    /// The layer's kind as a model file names it ("Linear", "LIFSqueeze"),
    /// or its Swift type name.
    public static func kindName(of layer: Layer) -> String {
        if let describable = layer as? DescribableLayer { return describable.layerDescription.kind }
        return String(describing: type(of: layer))
    }
}
