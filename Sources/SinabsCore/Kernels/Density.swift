import CSinabsKernels

/// Whether fewer than `density` x `count` of the floats at `data` are
/// non-zero (NaN counts as non-zero): how the automatic kernels choose the
/// event-driven path. The scan stops as soon as the answer is known.
func isSparse(_ data: UnsafePointer<Float>, count: Int, below density: Float) -> Bool {
    let limit = (Double(density) * Double(count)).rounded(.up)
    return snk_nonzero_below(data, Int64(count), Int64(limit)) != 0
}
