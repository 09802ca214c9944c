import CSinabs
import SinabsCore

// sinabs_neuron_options <-> NeuronOptions. NaN stands for sinabs' None.

@c @implementation
public func sinabs_neuron_options_init(_ options: UnsafeMutablePointer<sinabs_neuron_options>?,
                                       _ model: Int32) -> sinabs_status {
    guarded {
        guard let options else { throw invalid("options is NULL") }
        guard let kind = NeuronModel(rawValue: model) else { throw invalid("unknown neuron model \(model)") }
        options.pointee = cOptions(NeuronOptions(kind))
    }
}

func cOptions(_ o: NeuronOptions) -> sinabs_neuron_options {
    var c = sinabs_neuron_options()
    c.struct_size = UInt32(MemoryLayout<sinabs_neuron_options>.size)
    c.model = o.model.rawValue
    c.form = SINABS_FORM_PLAIN
    c.tau_mem = o.tauMem
    c.tau_syn = o.tauSyn ?? .nan
    c.tau_adapt = o.tauAdapt
    c.adapt_scale = o.adaptScale
    c.spike_threshold = o.spikeThreshold
    c.spike_fn = o.spikeFunction == .single ? SINABS_SPIKE_SINGLE : SINABS_SPIKE_MULTI
    c.max_num_spikes_per_bin = 1
    c.reset_fn = SINABS_RESET_SUBTRACT
    c.subtract_value = .nan
    c.reset_value = 0
    c.surrogate_fn = SINABS_SURROGATE_SINGLE_EXPONENTIAL
    c.grad_width = 0.5
    c.grad_scale = 1
    c.window = 1
    c.mu = 0
    c.sigma = 0.5
    c.h = 0.15
    c.s = 6
    c.min_v_mem = .nan
    c.norm_input = o.normInput ? 1 : 0
    c.train_alphas = 0
    c.record_states = 0
    return c
}

/// Reads the caller's struct: only `struct_size` bytes of it, over defaults,
/// so callers compiled against an older, shorter struct keep working.
func readOptions(_ pointer: UnsafePointer<sinabs_neuron_options>?) throws -> NeuronOptions {
    guard let pointer else { throw invalid("options is NULL") }
    let size = Int(pointer.pointee.struct_size)
    let headerSize = MemoryLayout<sinabs_neuron_options>.offset(of: \.tau_mem)!
    guard size >= headerSize else {
        throw invalid("options.struct_size \(size) is too small; call sinabs_neuron_options_init first")
    }
    if let cut = fieldCut(by: size) {
        throw invalid("options.struct_size \(size) ends inside field \(cut); pass a size that ends at a field boundary")
    }
    guard let model = NeuronModel(rawValue: pointer.pointee.model) else {
        throw invalid("unknown neuron model \(pointer.pointee.model)")
    }
    var c = cOptions(NeuronOptions(model))
    withUnsafeMutableBytes(of: &c) { dst in
        dst.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: min(size, dst.count)))
    }
    return try neuronOptions(c, model)
}

/// The name of the field that `size` bytes would end inside of (a caller
/// struct may be shorter than ours, but only by whole fields), or nil.
private func fieldCut(by size: Int) -> String? {
    typealias O = sinabs_neuron_options
    func f<T>(_ name: String, _ path: KeyPath<O, T>) -> (String, Int, Int) {
        (name, MemoryLayout<O>.offset(of: path) ?? 0, MemoryLayout<T>.size)
    }
    let fields = [
        f("tau_mem", \O.tau_mem), f("tau_syn", \O.tau_syn), f("tau_adapt", \O.tau_adapt),
        f("adapt_scale", \O.adapt_scale), f("spike_threshold", \O.spike_threshold), f("spike_fn", \O.spike_fn),
        f("max_num_spikes_per_bin", \O.max_num_spikes_per_bin), f("reset_fn", \O.reset_fn),
        f("subtract_value", \O.subtract_value), f("reset_value", \O.reset_value),
        f("surrogate_fn", \O.surrogate_fn), f("grad_width", \O.grad_width), f("grad_scale", \O.grad_scale),
        f("window", \O.window), f("mu", \O.mu), f("sigma", \O.sigma), f("h", \O.h), f("s", \O.s),
        f("min_v_mem", \O.min_v_mem), f("norm_input", \O.norm_input), f("train_alphas", \O.train_alphas),
        f("record_states", \O.record_states), f("batch_size", \O.batch_size),
        f("num_timesteps", \O.num_timesteps), f("recurrent_features", \O.recurrent_features),
    ]
    return fields.first { _, offset, width in offset < size && size < offset + width }?.0
}

private func optional(_ value: Float) -> Float? { value.isNaN ? nil : value }

private func flag(_ value: Int32, _ name: String) throws -> Bool {
    guard value == 0 || value == 1 else { throw invalid("\(name) must be 0 or 1, got \(value)") }
    return value == 1
}

private func neuronOptions(_ c: sinabs_neuron_options, _ model: NeuronModel) throws -> NeuronOptions {
    var o = NeuronOptions(model)
    switch c.form {
    case SINABS_FORM_PLAIN: o.form = .plain
    case SINABS_FORM_SQUEEZE:
        guard c.batch_size >= 0, c.num_timesteps >= 0 else {
            throw invalid("batch_size and num_timesteps must be >= 0")
        }
        // forward multiplies the two; an overflow there would trap.
        guard !c.batch_size.multipliedReportingOverflow(by: c.num_timesteps).overflow else {
            throw invalid("batch_size x num_timesteps overflows (\(c.batch_size) x \(c.num_timesteps))")
        }
        o.form = .squeeze(batchSize: c.batch_size > 0 ? Int(c.batch_size) : nil,
                          numTimesteps: c.num_timesteps > 0 ? Int(c.num_timesteps) : nil)
    case SINABS_FORM_RECURRENT:
        guard c.recurrent_features >= 1, c.recurrent_features <= Int64(Int32.max) else {
            throw invalid("recurrent_features must be in 1...\(Int32.max), got \(c.recurrent_features)")
        }
        o.form = .recurrent(features: Int(c.recurrent_features))
    default: throw invalid("unknown form \(c.form)")
    }
    o.tauMem = c.tau_mem
    o.tauSyn = optional(c.tau_syn)
    o.tauAdapt = c.tau_adapt
    o.adaptScale = c.adapt_scale
    o.spikeThreshold = c.spike_threshold
    switch c.spike_fn {
    case SINABS_SPIKE_MULTI: o.spikeFunction = .multi
    case SINABS_SPIKE_SINGLE: o.spikeFunction = .single
    case SINABS_SPIKE_MAX: o.spikeFunction = .max(maxSpikesPerBin: Int(c.max_num_spikes_per_bin))
    default: throw invalid("unknown spike_fn \(c.spike_fn)")
    }
    switch c.reset_fn {
    case SINABS_RESET_SUBTRACT: o.reset = .subtract(value: optional(c.subtract_value))
    case SINABS_RESET_MEMBRANE: o.reset = .membrane(value: c.reset_value)
    default: throw invalid("unknown reset_fn \(c.reset_fn)")
    }
    switch c.surrogate_fn {
    case SINABS_SURROGATE_SINGLE_EXPONENTIAL:
        o.surrogate = .singleExponential(gradWidth: c.grad_width, gradScale: c.grad_scale)
    case SINABS_SURROGATE_HEAVISIDE: o.surrogate = .heaviside(window: c.window)
    case SINABS_SURROGATE_GAUSSIAN:
        o.surrogate = .gaussian(mu: c.mu, sigma: c.sigma, gradScale: c.grad_scale)
    case SINABS_SURROGATE_MULTI_GAUSSIAN:
        o.surrogate = .multiGaussian(mu: c.mu, sigma: c.sigma, h: c.h, s: c.s, gradScale: c.grad_scale)
    case SINABS_SURROGATE_PERIODIC_EXPONENTIAL:
        o.surrogate = .periodicExponential(gradWidth: c.grad_width, gradScale: c.grad_scale)
    default: throw invalid("unknown surrogate_fn \(c.surrogate_fn)")
    }
    o.minVMem = optional(c.min_v_mem)
    o.normInput = try flag(c.norm_input, "norm_input")
    o.trainAlphas = try flag(c.train_alphas, "train_alphas")
    o.recordStates = try flag(c.record_states, "record_states")
    try o.validate()
    return o
}
