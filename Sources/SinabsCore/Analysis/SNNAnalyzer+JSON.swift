// The analyzer's statistics as one JSON document, shaped like sinabs'
// get_layer_statistics() plus get_model_statistics() (for the C ABI and Python).
extension SNNAnalyzer {
    /// `{"spiking": {"<index>": {"n_neurons", "firing_rate", "firing_rate_per_neuron":
    /// {"shape", "data"}}}, "parameter": {"<index>": {"synops", "num_timesteps",
    /// "time_window", "SynOps/s", "synops/s"}}, "model": {"firing_rate", "synops",
    /// "n_spiking_neurons"}}`; non-finite numbers (SynOps/s without a time axis) are null.
    public func statisticsJSON(average: Bool = false) -> String {
        func number(_ value: Float) -> String { value.isFinite ? "\(value)" : "null" }
        let spikingEntries = spikingStatistics(average: average).sorted { $0.key < $1.key }.map { index, s in
            let shape = s.neuronShape.map(String.init).joined(separator: ", ")
            let data = s.firingRatePerNeuron.map(number).joined(separator: ", ")
            return "\"\(index)\": {\"n_neurons\": \(s.neuronCount), \"firing_rate\": \(number(s.firingRate)), "
                + "\"firing_rate_per_neuron\": {\"shape\": [\(shape)], \"data\": [\(data)]}}"
        }
        let parameterEntries = parameterStatistics(average: average).sorted { $0.key < $1.key }.map { index, p in
            "\"\(index)\": {\"synops\": \(number(p.synops)), \"num_timesteps\": \(p.numTimesteps), "
                + "\"time_window\": \(number(p.timeWindow)), \"SynOps/s\": \(number(p.synopsPerSecond)), "
                + "\"synops/s\": \(number(p.synopsPerSecond))}"
        }
        let m = modelStatistics(average: average)
        return "{\"spiking\": {\(spikingEntries.joined(separator: ", "))}, "
            + "\"parameter\": {\(parameterEntries.joined(separator: ", "))}, "
            + "\"model\": {\"firing_rate\": \(number(m.firingRate)), \"synops\": \(number(m.synops)), "
            + "\"n_spiking_neurons\": \(m.spikingNeuronCount)}}"
    }
}
