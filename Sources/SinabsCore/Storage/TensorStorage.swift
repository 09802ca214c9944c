#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Float memory shared by tensors and their reshaped views: owned (allocated
/// here, freed in `deinit`) or borrowed from a caller, whose release closure
/// runs exactly once, when the last sharing tensor dies.
final class TensorStorage {
    /// First element; nil only when `count` is 0.
    let base: UnsafeMutablePointer<Float>?
    let count: Int
    private let release: ((UnsafeMutablePointer<Float>?) -> Void)?

    /// Big buffers ask for transparent huge pages: first touch of a 50 MB
    /// output costs several times the kernel otherwise.
    private static let hugePageThreshold = 4 << 20
    private static let alignment = 64
    /// For tests of the out-of-memory paths: allocations of more bytes than
    /// SINABS_TEST_ALLOC_LIMIT (read once, at the first allocation) fail as
    /// if memory had run out.
    private static let testLimit: Int = getenv("SINABS_TEST_ALLOC_LIMIT").flatMap { Int(String(cString: $0)) } ?? .max

    /// Fresh memory for `count` floats, zero-filled when `zeroed`.
    init(count: Int, zeroed: Bool) throws {
        self.count = count
        self.release = nil
        guard count > 0 else {
            base = nil
            return
        }
        let bytes = count * MemoryLayout<Float>.stride
        var raw: UnsafeMutableRawPointer?
        guard bytes <= Self.testLimit, posix_memalign(&raw, Self.alignment, bytes) == 0, let raw else {
            throw SinabsError(.outOfMemory, "cannot allocate \(bytes) bytes")
        }
        #if os(Linux)
        if bytes >= Self.hugePageThreshold {
            _ = madvise(raw, bytes, MADV_HUGEPAGE)
        }
        #endif
        if zeroed { memset(raw, 0, bytes) }
        base = raw.bindMemory(to: Float.self, capacity: count)
    }

    /// Caller memory, used in place.
    init(borrowing base: UnsafeMutablePointer<Float>?, count: Int,
         release: ((UnsafeMutablePointer<Float>?) -> Void)?) {
        self.base = base
        self.count = count
        self.release = release ?? { _ in }
    }

    deinit {
        if let release {
            release(base)
        } else if let base {
            free(base)
        }
    }
}
