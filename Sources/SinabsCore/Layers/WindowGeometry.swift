import CSinabsKernels

/// A (height, width) pair: torch's 2-D layer arguments accept an int (both)
/// or a pair.
public struct Pair2d: Equatable, Sendable, CustomStringConvertible {
    /// Rows.
    public var height: Int
    /// Columns.
    public var width: Int

    /// A pair of two sizes.
    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// The same size in both dimensions.
    public init(_ both: Int) { self.init(both, both) }

    public var description: String { height == width ? "\(height)" : "(\(height), \(width))" }
    var values: [Int] { [height, width] }
}

/// The sliding-window geometry Conv2d and the pools share, with torch's
/// output-size rules (floor, or ceil_mode's ceil with the last window
/// starting inside the input or its left padding).
public struct WindowGeometry: Equatable, Sendable {
    /// Window size.
    public var kernel: Pair2d
    /// Step between windows (default: the kernel).
    public var stride: Pair2d
    /// Implicit padding on each side.
    public var padding: Pair2d
    /// Spacing between window elements.
    public var dilation: Pair2d
    /// Round the output size up (torch's ceil_mode).
    public var ceilMode: Bool

    /// Arguments beyond this are refused: sizes stay far from Int overflow.
    static let limit = Int(Int32.max)

    /// A geometry; torch's defaults: stride = kernel, padding 0, dilation 1.
    public init(kernel: Pair2d, stride: Pair2d? = nil, padding: Pair2d = Pair2d(0),
                dilation: Pair2d = Pair2d(1), ceilMode: Bool = false) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
    }

    /// Throws `.invalidArgument` naming the first argument out of range.
    func validate(_ layer: String) throws {
        func check(_ pair: Pair2d, _ name: String, _ range: ClosedRange<Int>) throws {
            guard range.contains(pair.height), range.contains(pair.width) else {
                throw SinabsError.invalid("\(layer): \(name) must be in \(range.lowerBound)...\(range.upperBound), got \(pair)")
            }
        }
        try check(kernel, "kernel_size", 1...Self.limit)
        try check(stride, "stride", 1...Self.limit)
        try check(padding, "padding", 0...Self.limit)
        try check(dilation, "dilation", 1...Self.limit)
    }

    /// torch's pooling rule: padding at most half the kernel.
    func validatePoolPadding(_ layer: String) throws {
        guard padding.height <= kernel.height / 2, padding.width <= kernel.width / 2 else {
            throw SinabsError.invalid("\(layer): padding \(padding) must be at most half the kernel size \(kernel)")
        }
    }

    /// (out_h, out_w) for an input plane of (height, width).
    func outputSize(height: Int, width: Int, _ layer: String) throws -> Pair2d {
        func size(_ input: Int, _ k: Int, _ s: Int, _ p: Int, _ d: Int) throws -> Int {
            // torch's pooling_output_shape: floor division, also of a negative span.
            let span = input + 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0)
            var out = (span >= 0 ? span / s : -((-span + s - 1) / s)) + 1
            if ceilMode, (out - 1) * s >= input + p { out -= 1 }
            guard out >= 1 else {
                throw SinabsError.shape("\(layer): kernel \(kernel) (dilation \(dilation)) is larger than the padded input (\(height), \(width)) + 2 x \(padding)")
            }
            return out
        }
        return Pair2d(try size(height, kernel.height, stride.height, padding.height, dilation.height),
                      try size(width, kernel.width, stride.width, padding.width, dilation.width))
    }

    /// The kernels' view of a pooling call over `planes` planes.
    func poolShape(planes: Int, height: Int, width: Int, output: Pair2d) -> snk_pool_shape {
        snk_pool_shape(planes: Int64(planes), height: Int64(height), width: Int64(width),
                       out_h: Int64(output.height), out_w: Int64(output.width),
                       kernel_h: Int64(kernel.height), kernel_w: Int64(kernel.width),
                       stride_h: Int64(stride.height), stride_w: Int64(stride.width),
                       pad_h: Int64(padding.height), pad_w: Int64(padding.width),
                       dilation_h: Int64(dilation.height), dilation_w: Int64(dilation.width))
    }
}

/// (leading dims, channels, height, width) of an image input: (N, C, H, W),
/// or unbatched (C, H, W) as torch allows.
struct ImageLayout {
    let batch: Int
    let channels: Int
    let height: Int
    let width: Int
    let batched: Bool

    init(_ shape: [Int], _ layer: String) throws {
        guard shape.count == 4 || shape.count == 3 else {
            throw SinabsError.shape("\(layer) expects (N, C, H, W) or (C, H, W), got \(shape)")
        }
        batched = shape.count == 4
        batch = batched ? shape[0] : 1
        (channels, height, width) = (shape[shape.count - 3], shape[shape.count - 2], shape[shape.count - 1])
    }

    /// The output shape with `channels` and `size` in place of the input's.
    func shape(channels: Int, size: Pair2d) -> [Int] {
        (batched ? [batch] : []) + [channels, size.height, size.width]
    }
}
