import Synchronization

/// The process-wide generator behind the initial values of new layers'
/// parameters (``ParameterInit``), seeded with ``manualSeed(_:)``.
///
/// Each initialisation takes one 64-bit draw under a lock and fills its tensors
/// from a private ``SplitMix64`` stream seeded with it, so the lock is held for
/// nanoseconds whatever the layer's size, and a layer's values depend only on
/// the seed and on how many layers were initialised before it.
enum ProcessGenerator {
    /// torch's default seed: an unseeded process is reproducible too, as in torch.
    static let defaultSeed: UInt64 = 67_280_421_310_721

    private static let generator = Mutex(SplitMix64(seed: defaultSeed))

    static func seed(_ seed: UInt64) {
        generator.withLock { $0 = SplitMix64(seed: seed) }
    }

    /// One draw: the seed of a private stream for one layer's parameters.
    static func nextStreamSeed() -> UInt64 {
        generator.withLock { $0.next() }
    }
}

/// Seeds the process-wide generator that draws the initial parameters of every
/// layer created afterwards (`Linear`'s weight and bias), like
/// `torch.manual_seed`.
///
/// The same seed followed by the same sequence of layer constructions gives the
/// same parameters from Swift, C (`sinabs_manual_seed`) and Python
/// (`sinabs_swift.manual_seed`). Without a call the generator starts from a
/// fixed seed, so runs are reproducible by default.
///
/// Thread safety: safe to call from any thread, also while other threads create
/// layers; those layers then get values from either the old or the new stream,
/// in an order the threads decide. For reproducible values create layers from
/// one thread, or seed and create them on one thread.
///
/// The corresponding C function is `sinabs_manual_seed`.
public func manualSeed(_ seed: UInt64) {
    ProcessGenerator.seed(seed)
}
