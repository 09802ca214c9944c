/// What `SNNAnalyzer` reports for a spiking layer (sinabs' "spiking" entries).
public struct SpikingLayerStatistics: Equatable, Sendable {
    /// Neurons per sample and time step.
    public var neuronCount: Int
    /// The mean output (spikes per neuron and step) of the last forward, or the
    /// mean over every forward since `reset()` when averaged.
    public var firingRate: Float
    /// The mean over batch and time of every neuron's output.
    public var firingRatePerNeuron: [Float]
    /// The shape of one sample's step (what `firingRatePerNeuron` is laid out as).
    public var neuronShape: [Int]
}

/// What `SNNAnalyzer` reports for a Linear or Conv2d layer (sinabs' "parameter" entries).
public struct ParameterLayerStatistics: Equatable, Sendable {
    /// Synaptic operations per sample (input events times their fan-out),
    /// times the kernel areas of the AvgPool2d layers before it (sinabs' correction).
    public var synops: Float
    /// Time steps per sample (0 when the input carries no time axis).
    public var numTimesteps: Int
    /// numTimesteps * dt.
    public var timeWindow: Float
    /// synops / numTimesteps / dt * 1000 (dt in milliseconds).
    public var synopsPerSecond: Float
}

/// sinabs' model statistics.
public struct ModelStatistics: Equatable, Sendable {
    /// The mean firing rate over every neuron of every spiking layer.
    public var firingRate: Float
    /// The sum of the parameter layers' synops (without the AvgPool correction, as sinabs).
    public var synops: Float
    /// Neurons of the spiking layers that ran.
    public var spikingNeuronCount: Int
}
