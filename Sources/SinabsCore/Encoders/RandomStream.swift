import CSinabsKernels

/// The uniform draws of one encoder: SplitMix64 seeded once, read by
/// position. Draw k is the k-th output of `SplitMix64(seed:)` as a float in
/// [0, 1) (its top 24 bits), computed from k alone by the C kernels
/// (`snk_uniform_fill`), so a forward takes a block of positions and fills
/// it without a loop-carried dependency. The same seed gives the same spikes
/// from Swift, C and Python, whatever the block sizes of the calls.
struct RandomStream {
    /// The stream's seed: given, or one draw of ``ProcessGenerator`` (so
    /// ``manualSeed(_:)`` makes unseeded encoders reproducible too).
    let seed: UInt64
    /// The number of draws taken so far.
    private(set) var position: UInt64 = 0

    init(seed: UInt64?) {
        self.seed = seed ?? ProcessGenerator.nextStreamSeed()
    }

    /// Reserves `count` draws and returns the position of the first.
    mutating func take(_ count: Int) -> UInt64 {
        let first = position
        position &+= UInt64(count)
        return first
    }

    /// The seed as a description argument (bit pattern, so every UInt64 round-trips).
    var argument: LayerArgument { .int(Int(bitPattern: UInt(seed))) }

    /// The `seed` argument of a description: an int (bit pattern of a UInt64), or nil when absent.
    static func seed(from description: LayerDescription) throws -> UInt64? {
        try description.optionalInt("seed").map { UInt64(UInt(bitPattern: $0)) }
    }
}

/// The random stream of the encoders (``Img2SpikeLayer``, ``Sig2SpikeLayer``,
/// ``NeuromorphicReLU``), read by position: draw k of the stream seeded with
/// s is the k-th output of SplitMix64(s) as a float in [0, 1) (its top 24
/// bits times 2^-24). Each layer has its own stream, seeded explicitly or
/// from the process-wide generator (``manualSeed(_:)``); a forward takes one
/// draw per output element in output order, so the same seed and calls give
/// the same spikes from Swift, C and Python.
///
/// The corresponding C function is `sinabs_uniform_draws`.
public enum UniformDraws {
    /// Writes draws `firstDraw ..< firstDraw + out.count` of the stream seeded with `seed`.
    public static func fill(_ out: UnsafeMutableBufferPointer<Float>, seed: UInt64, firstDraw: UInt64) {
        guard let base = out.baseAddress else { return }
        snk_uniform_fill(seed, firstDraw, Int64(out.count), base)
    }
}
