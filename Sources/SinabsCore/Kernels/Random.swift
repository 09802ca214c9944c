/// SplitMix64: a small, seedable generator so that randomised state resets
/// are reproducible from a seed across platforms.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Tensor {
    /// Fills with uniform values in `range`.
    func fillUniform(_ range: ClosedRange<Float>, using generator: inout SplitMix64) {
        withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices {
                let unit = Float(generator.next() >> 40) * 0x1p-24  // [0, 1)
                buffer[i] = range.lowerBound + unit * (range.upperBound - range.lowerBound)
            }
        }
    }
}
