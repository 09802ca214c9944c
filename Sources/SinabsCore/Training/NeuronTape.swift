import CSinabsKernels

/// What a training forward of a neuron layer keeps so that backward can
/// recompute every step exactly, (B, T, N):
///
/// - the membrane after integration, before the spike (u): 4 bytes per
///   neuron-step, always (backward recomputes the spike, the reset and the
///   membrane before the next step from it), and v_mem before the first step
///   (B, N);
/// - i_syn before each step: 4 bytes per neuron-step with tau_syn;
/// - b before each step: 4 bytes per neuron-step for ALIF;
/// - the input the kernel read: kept by reference (no copy) for plain and
///   squeeze forms; for recurrent forms it includes the feedback, so it is
///   copied (4 bytes per neuron-step), with the recurrent weight as it was;
///
/// and the model constants of that forward. Backward writes the input
/// gradient over u (each row after its last read) and hands that memory to
/// its result: the tape gives u up, and the next training forward takes it
/// back from the recycled buffer once the caller released the gradient (or
/// allocates a new one). The other buffers are reused by the next training
/// forward of the same shape, so a training loop allocates once.
final class NeuronTape {
    let batch: Int, time: Int, neurons: Int
    /// u: the membrane after integration, before the spike, (B, T, N); nil
    /// once backward gave it away as its input gradient.
    var u: Tensor?
    /// v_mem before the first step.
    let vStart: Tensor
    let i: Tensor?
    let b: Tensor?
    let x: Tensor?
    let weight: Tensor?
    /// Shape of the forward's input (and output, and of backward's gradients).
    var inputShape: [Int]
    /// Shape of the states, (Batch, ...), and of their recordings, (Batch, Time, ...).
    var stateShape: [Int] = []
    var recordingShape: [Int] = []
    /// The caller's input of the forward (plain and squeeze forms).
    var input: Tensor?
    var params = snk_neuron_params()
    /// tau_* values of the forward, for d/dtau = d/dalpha * alpha / tau^2.
    var taus: [String: Float] = [:]
    /// Per-neuron decay factors of the forward (nil: scalars in params).
    var perNeuron: PerNeuronAlphas?
    /// True between a training forward and the backward that consumes it.
    var pending = false

    init(batch: Int, time: Int, neurons: Int, hasSyn: Bool, adaptive: Bool, recurrent: Bool) throws {
        self.batch = batch
        self.time = time
        self.neurons = neurons
        let shape = [batch, time, neurons]
        u = nil  // prepareTape lends it from NeuronAutograd.tapeMemory
        vStart = try Tensor.uninitialized([batch, neurons])
        i = hasSyn ? try Tensor.uninitialized(shape) : nil
        b = adaptive ? try Tensor.uninitialized(shape) : nil
        x = recurrent ? try Tensor.uninitialized(shape) : nil
        weight = recurrent ? try Tensor.uninitialized([neurons, neurons]) : nil
        inputShape = []
    }

    func fits(batch: Int, time: Int, neurons: Int) -> Bool {
        self.batch == batch && self.time == time && self.neurons == neurons
    }

    /// Bytes stored per neuron-step (the input kept by reference not counted).
    var bytesPerNeuronStep: Int { 4 * (1 + [i, b, x].compactMap { $0 }.count) }

    /// Points the forward kernel's tape fields at step `offset / neurons`.
    func attach(_ io: inout snk_neuron_io, offset: Int) {
        io.tape_u = u?.baseAddress.map { $0 + offset }
        io.tape_i = i?.baseAddress.map { $0 + offset }
        io.tape_b = b?.baseAddress.map { $0 + offset }
        io.tape_x = x?.baseAddress.map { $0 + offset }
    }
}

/// A training forward's tape taken out of its layer (`takeTape`): the
/// autograd node of one call holds it, so any number of calls may precede
/// their backward. Its memory goes when the handle is freed; backward hands
/// the buffers back to the layer for reuse and leaves the handle empty.
public final class NeuronTapeHandle {
    /// The layer whose forward recorded the tape (kept alive by the handle);
    /// backward adds to its parameter gradients.
    public let layer: NeuronLayer
    var tape: NeuronTape?

    init(layer: NeuronLayer, tape: NeuronTape) {
        self.layer = layer
        self.tape = tape
    }

    /// Backward through this call: the input gradient and dL/d(states before
    /// the call) for each state, from `gradOutput` and dL/d(states after it)
    /// (by name; missing ones are zero), and dL/d(recorded states after
    /// each step) in `recordingGradients`, (B, T, ...) each. Adds the parameter gradients to the
    /// layer's accumulators. Once per tape: later calls throw `.state`.
    public func backward(_ gradOutput: Tensor, finalStateGradients: [String: Tensor] = [:],
                         recordingGradients: [String: Tensor] = [:]) throws
        -> (gradInput: Tensor, stateGradients: [String: Tensor]) {
        guard let tape else {
            throw SinabsError(.state, "this training forward's graph was already used by a backward (or freed)")
        }
        let result = try layer.backward(through: tape, gradOutput, finalStateGradients: finalStateGradients,
                                        recordingGradients: recordingGradients)
        self.tape = nil
        if layer.autograd.tape == nil { layer.autograd.tape = tape }  // its buffers for the next forward
        return result
    }
}

/// The training side of a neuron layer: its tape and the accumulated
/// gradients of its trainable parameters.
final class NeuronAutograd {
    var tape: NeuronTape?
    /// Created as zeros on first use, with the parameter's shape.
    var gradients: [String: Tensor] = [:]
    /// Memory of the tape's u, which backward hands out as its result:
    /// reused by a training forward once the caller released that result.
    var tapeMemory: RecycledBuffer?
}
