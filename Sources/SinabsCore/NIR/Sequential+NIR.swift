// .nir files (the Neuromorphic Intermediate Representation, HDF5 as the
// `nir` Python package writes them) read into and written from a Sequential.
// Layers: HDF5File (file I/O) -> NIRGraph (nodes, edges) -> NIRImport /
// NIRExport (the mapping to our layers, docs/nir.md).
extension Sequential {
    /// A model read from the `.nir` file at `path` (written by `nir.write`,
    /// e.g. from sinabs' or snnTorch's exporters, or by ``writeNIR(to:inputShape:)``).
    ///
    /// The graph must be a chain from its Input to its Output node of Affine,
    /// Linear, Conv2d, SumPool2d, AvgPool2d, Flatten, IF, LIF, LI and CubaLIF
    /// nodes. Neuron layers are in squeeze form: the model runs on
    /// (Batch*Time, ...) input with the Input node's shape after the first
    /// dimension. IF -> IAF, LIF -> LIF (norm_input off), LI -> ExpLeak,
    /// CubaLIF -> LIF with tau_syn; all subtract the threshold after a spike
    /// (``NIRImportOptions/resetToZero`` resets to 0) and have no min_v_mem.
    /// Input gains (r, w_in) and per-neuron thresholds are folded into the
    /// weights before the neurons; a gain within 1e-6 of 1 counts as 1, and a
    /// LIF/LI gain of 1 - exp(-1/tau) becomes norm_input.
    ///
    /// - Throws: `.notFound` (no such file); `.invalidArgument` (not HDF5,
    ///   damaged or truncated, not NIR, an unsupported node or graph, NaN or
    ///   out-of-range parameters); `.shape` (shapes that do not fit). Messages
    ///   name the node.
    public convenience init(nirFile path: String, options: NIRImportOptions) throws {
        let graph = try NIRGraph(file: try HDF5File.read(path))
        self.init(try NIRImport.layers(graph, options))
    }

    /// ``init(nirFile:options:)`` with the squeeze sizes and sinabs' time convention.
    public convenience init(nirFile path: String, batchSize: Int? = nil, numTimesteps: Int? = nil) throws {
        try self.init(nirFile: path, options: NIRImportOptions(batchSize: batchSize, numTimesteps: numTimesteps))
    }

    /// Writes the model as a `.nir` file that `nir.read` loads: nodes "0",
    /// "1", ... in layer order between "input" (of `inputShape`: one sample
    /// at one time step, without the batch dimension) and "output". Linear ->
    /// Affine (zero bias if none), Conv2d -> Conv2d, IAF -> IF (r = 1), LIF ->
    /// LIF or CubaLIF (with tau_syn; r = 1 - exp(-1/tau) with norm_input),
    /// ExpLeak -> LI, SumPool2d, AvgPool2d, Flatten. A reset to 0
    /// (MembraneReset(0)) is written like subtract (NIR has no field for it):
    /// load such files with `resetToZero`. Written to "<path>.tmp" and renamed.
    ///
    /// - Throws: `.invalidArgument` naming the first layer NIR cannot express
    ///   (min_v_mem, a reset to a non-zero value, MaxSpike, ALIF, MaxPool2d, plain or recurrent
    ///   neuron forms, ...) or when the file cannot be written; `.shape` when
    ///   `inputShape` does not fit the model.
    public func writeNIR(to path: String, inputShape: [Int]) throws {
        try HDF5File.write(try NIRExport.graph(self, inputShape: inputShape).file, to: path)
    }
}
