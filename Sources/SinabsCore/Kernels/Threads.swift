import CSinabsKernels

/// How many threads large kernels use (default: online CPUs, or the
/// SINABS_NUM_THREADS environment variable).
public enum Threads {
    public static var count: Int {
        get { Int(snk_get_num_threads()) }
        set { snk_set_num_threads(Int32(clamping: newValue)) }
    }
}
