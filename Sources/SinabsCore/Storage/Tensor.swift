/// A float32 tensor: contiguous, row-major, rank 0...8. Reshaped views share
/// storage with their source; a write through one is seen by all.
///
/// Tensors are reference types because C and Python hold them by handle. Reads
/// from several threads are safe; a write concurrent with any other access is a
/// data race, as for any shared buffer.
public final class Tensor {
    /// The dimensions, outermost first.
    public let shape: [Int]
    let storage: TensorStorage

    /// The number of elements (1 for rank 0).
    public var count: Int { storage.count }
    /// The number of dimensions.
    public var rank: Int { shape.count }

    init(shape: [Int], storage: TensorStorage) {
        self.shape = shape
        self.storage = storage
    }

    /// A zero-filled tensor.
    public convenience init(zeros shape: [Int]) throws {
        let count = try Shape.elementCount(shape)
        self.init(shape: shape, storage: try TensorStorage(count: count, zeroed: true))
    }

    /// A tensor whose elements are left as the allocator gives them; for
    /// outputs that a kernel overwrites entirely.
    static func uninitialized(_ shape: [Int]) throws -> Tensor {
        let count = try Shape.elementCount(shape)
        return Tensor(shape: shape, storage: try TensorStorage(count: count, zeroed: false))
    }

    /// A tensor holding a copy of `values`, whose count must match `shape`.
    public convenience init(shape: [Int], copying values: UnsafeBufferPointer<Float>) throws {
        let count = try Shape.elementCount(shape)
        guard values.count == count else {
            throw SinabsError.shape("\(values.count) values given for shape \(shape) (\(count) elements)")
        }
        let storage = try TensorStorage(count: count, zeroed: false)
        if count > 0, let src = values.baseAddress, let dst = storage.base {
            dst.update(from: src, count: count)
        }
        self.init(shape: shape, storage: storage)
    }

    /// A tensor holding a copy of `values`.
    public convenience init(shape: [Int], values: [Float]) throws {
        let count = try Shape.elementCount(shape)
        guard values.count == count else {
            throw SinabsError.shape("\(values.count) values given for shape \(shape) (\(count) elements)")
        }
        let storage = try TensorStorage(count: count, zeroed: false)
        values.withUnsafeBufferPointer { src in
            if let dst = storage.base, let src = src.baseAddress { dst.update(from: src, count: count) }
        }
        self.init(shape: shape, storage: storage)
    }

    /// A scalar (rank 0) tensor.
    public convenience init(scalar: Float) throws {
        try self.init(shape: [], values: [scalar])
    }

    /// A tensor over caller memory, without copying. `release` runs exactly once,
    /// when the last tensor sharing the memory dies. On error, `release` is not
    /// called: the memory stays the caller's.
    public static func wrapping(_ base: UnsafeMutablePointer<Float>?, shape: [Int],
                                release: ((UnsafeMutablePointer<Float>?) -> Void)?) throws -> Tensor {
        let count = try Shape.elementCount(shape)
        if count > 0 {
            guard let base else { throw SinabsError.invalid("data is NULL for \(count) elements") }
            guard Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 else {
                throw SinabsError.invalid("data is not aligned to 4 bytes")
            }
        }
        return Tensor(shape: shape, storage: TensorStorage(borrowing: base, count: count, release: release))
    }

    /// A view with another shape of the same element count; one dimension may be -1.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        let resolved = try Shape.inferring(newShape, count: count)
        let newCount = try Shape.elementCount(resolved)
        guard newCount == count else {
            throw SinabsError.shape("cannot reshape \(shape) (\(count) elements) to \(resolved) (\(newCount))")
        }
        return Tensor(shape: resolved, storage: storage)
    }

    /// A tensor with its own copy of the data.
    public func copy() throws -> Tensor {
        let result = try Tensor.uninitialized(shape)
        try result.copyElements(from: self)
        return result
    }

    /// Copies the elements of `source` (same count, any shape) into this tensor.
    public func copyElements(from source: Tensor) throws {
        guard source.count == count else {
            throw SinabsError.shape("cannot copy \(source.count) elements into \(count)")
        }
        guard count > 0, let dst = storage.base, let src = source.storage.base, dst != src else { return }
        dst.update(from: src, count: count)  // memmove semantics
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) {
        guard let base = storage.base else { return }
        base.update(repeating: value, count: count)
    }

    /// The first element; valid while this tensor or one sharing its storage lives.
    public var baseAddress: UnsafeMutablePointer<Float>? { storage.base }

    /// True when both tensors view the same memory.
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    /// True when the memory of the two tensors overlaps, by address range:
    /// two wraps of one caller buffer are distinct storages but overlap.
    /// Empty tensors overlap nothing.
    public func overlaps(_ other: Tensor) -> Bool {
        guard count > 0, other.count > 0, let a = storage.base, let b = other.storage.base else { return false }
        return a < b + other.count && b < a + count
    }

    /// Throws INVALID_ARGUMENT when `output` overlaps any of `others`, which
    /// a call reads (or keeps) while writing `output`.
    static func checkDisjoint(_ output: Tensor, from others: [(what: String, tensor: Tensor?)]) throws {
        for (what, tensor) in others {
            if let tensor, output.overlaps(tensor) {
                throw SinabsError.invalid("output must not share memory with \(what)")
            }
        }
    }

    /// Calls `body` with the elements; the pointer is valid only inside `body`.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: count))
    }

    /// Calls `body` with the elements to read and write in place; the pointer is valid only inside `body`.
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
    }

    /// The elements, copied into an array.
    public var scalars: [Float] { withUnsafeBufferPointer { Array($0) } }
}
