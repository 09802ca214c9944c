import CSinabsKernels

/// How many threads large kernels use (default: online CPUs, or the
/// SINABS_NUM_THREADS environment variable).
public enum Threads {
    /// Threads used by large calls, 1...256; setting it clamps into range.
    /// The corresponding C functions are `sinabs_set_num_threads` and
    /// `sinabs_get_num_threads`.
    public static var count: Int {
        get { Int(snk_get_num_threads()) }
        set { snk_set_num_threads(Int32(clamping: newValue)) }
    }
}
