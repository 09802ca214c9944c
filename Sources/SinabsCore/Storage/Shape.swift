/// Shape rules shared by every tensor constructor: rank 0...8, no negative
/// dimension, and an element count whose byte size fits in `Int`.
public enum Shape {
    /// The largest rank a tensor may have (`SINABS_MAX_RANK`).
    public static let maxRank = 8

    /// The element count of `dims` (1 for rank 0), or an error naming the first
    /// rule `dims` breaks.
    public static func elementCount(_ dims: [Int]) throws -> Int {
        guard dims.count <= maxRank else {
            throw SinabsError.invalid("rank \(dims.count) exceeds the maximum of \(maxRank)")
        }
        // The extent (product of the non-zero dimensions) must be addressable
        // even when a zero makes the tensor empty: layers multiply time by
        // neurons, and (0, 2^62, 4) would overflow there (numpy and torch
        // refuse such shapes too).
        var extent = 1
        var empty = false
        for (axis, d) in dims.enumerated() {
            guard d >= 0 else {
                throw SinabsError.invalid("dimension \(axis) is negative (\(d))")
            }
            let (product, overflow) = extent.multipliedReportingOverflow(by: max(d, 1))
            guard !overflow else {
                throw SinabsError(.outOfMemory, "shape \(dims) has more elements than memory can address")
            }
            extent = product
            empty = empty || d == 0
        }
        guard extent <= Int.max / MemoryLayout<Float>.stride else {
            throw SinabsError(.outOfMemory, "shape \(dims) needs more bytes than memory can address")
        }
        return empty ? 0 : extent
    }

    /// `dims` with a single -1 replaced so that the element count is `count`.
    static func inferring(_ dims: [Int], count: Int) throws -> [Int] {
        let unknown = dims.indices.filter { dims[$0] == -1 }
        guard unknown.count <= 1 else { throw SinabsError.shape("only one dimension may be -1") }
        guard let axis = unknown.first else { return dims }
        var known = dims
        known[axis] = 1
        let rest = try elementCount(known)
        guard rest > 0, count % rest == 0 else {
            throw SinabsError.shape("cannot infer dimension \(axis) of \(dims) for \(count) elements")
        }
        known[axis] = count / rest
        return known
    }
}
