import XCTest
@testable import SinabsCore

/// Reading a `neuron_layer` reference case into our options and layer.
extension ReferenceCase {
    /// NeuronOptions from `layer.type` (IAF, LIF, ExpLeak, ALIF + Squeeze /
    /// Recurrent) and `layer.params` (sinabs' constructor arguments).
    func neuronOptions() throws -> NeuronOptions {
        var type = try XCTUnwrap(self["layer", "type"] as? String)
        let params = try XCTUnwrap(self["layer", "params"] as? [String: Any])
        var form = NeuronForm.plain
        if type.hasSuffix("Squeeze") {
            type = String(type.dropLast("Squeeze".count))
            form = .squeeze(batchSize: params["batch_size"] as? Int, numTimesteps: params["num_timesteps"] as? Int)
        } else if type.hasSuffix("Recurrent") {
            type = String(type.dropLast("Recurrent".count))
            let shape = try XCTUnwrap(self["layer", "params", "rec_connect", "weight", "shape"] as? [Int])
            form = .recurrent(features: shape[0])
        }
        let models: [String: NeuronModel] = ["IAF": .iaf, "LIF": .lif, "ExpLeak": .expLeak, "ALIF": .alif]
        var o = NeuronOptions(try XCTUnwrap(models[type], "unknown layer type \(type)"))
        o.form = form
        func float(_ key: String) -> Float? { (params[key] as? Double).map { Float($0) } }
        for (key, value) in params {
            switch key {
            case "tau_mem": o.tauMem = try XCTUnwrap(float(key))
            case "tau_syn": o.tauSyn = float(key)
            case "tau_adapt": o.tauAdapt = try XCTUnwrap(float(key))
            case "adapt_scale": o.adaptScale = try XCTUnwrap(float(key))
            case "spike_threshold": o.spikeThreshold = try XCTUnwrap(float(key))
            case "min_v_mem": o.minVMem = float(key)
            case "norm_input": o.normInput = try XCTUnwrap(value as? Bool)
            case "train_alphas": o.trainAlphas = try XCTUnwrap(value as? Bool)
            case "record_states": o.recordStates = try XCTUnwrap(value as? Bool)
            case "spike_fn": o.spikeFunction = try Self.spikeFunction(value)
            case "reset_fn": o.reset = try Self.resetFunction(value)
            case "surrogate_grad_fn": o.surrogate = try Self.surrogate(value)
            case "batch_size", "num_timesteps", "rec_connect": break  // in the form
            default: XCTFail("\(name): unknown parameter \(key)")
            }
        }
        return o
    }

    /// A layer built from the case, with every parameter of the case set.
    func neuronLayer() throws -> NeuronLayer {
        let layer = try NeuronLayer(try neuronOptions())
        let parameters = try XCTUnwrap(self["parameters"] as? [String: Any])
        XCTAssertEqual(Set(layer.parameterNames), Set(parameters.keys), "\(name): parameter names")
        for (key, value) in parameters { try layer.setParameter(named: key, to: try Self.tensor(value)) }
        return layer
    }

    private static func fields(_ node: Any) throws -> (type: String, values: [String: Double]) {
        let dict = try XCTUnwrap(node as? [String: Any])
        return (try XCTUnwrap(dict["type"] as? String), dict.compactMapValues { $0 as? Double })
    }

    static func spikeFunction(_ node: Any) throws -> SpikeFunction {
        let (type, values) = try fields(node)
        switch type {
        case "MultiSpike": return .multi
        case "SingleSpike": return .single
        case "MaxSpike": return .max(maxSpikesPerBin: Int(try XCTUnwrap(values["max_num_spikes_per_bin"])))
        default: throw SinabsError.invalid("unknown spike_fn \(type)")
        }
    }

    static func resetFunction(_ node: Any) throws -> ResetFunction {
        let (type, values) = try fields(node)
        switch type {
        case "MembraneSubtract": return .subtract(value: values["subtract_value"].map { Float($0) })
        case "MembraneReset": return .membrane(value: Float(values["reset_value"] ?? 0))
        default: throw SinabsError.invalid("unknown reset_fn \(type)")
        }
    }

    static func surrogate(_ node: Any) throws -> SurrogateGradient {
        let (type, v) = try fields(node)
        func f(_ key: String, _ fallback: Float) -> Float { v[key].map { Float($0) } ?? fallback }
        switch type {
        case "SingleExponential": return .singleExponential(gradWidth: f("grad_width", 0.5), gradScale: f("grad_scale", 1))
        case "Heaviside": return .heaviside(window: f("window", 1))
        case "Gaussian": return .gaussian(mu: f("mu", 0), sigma: f("sigma", 0.5), gradScale: f("grad_scale", 1))
        case "MultiGaussian":
            return .multiGaussian(mu: f("mu", 0), sigma: f("sigma", 0.5), h: f("h", 0.15), s: f("s", 6),
                                  gradScale: f("grad_scale", 1))
        case "PeriodicExponential":
            return .periodicExponential(gradWidth: f("grad_width", 0.5), gradScale: f("grad_scale", 1))
        default: throw SinabsError.invalid("unknown surrogate_grad_fn \(type)")
        }
    }
}
