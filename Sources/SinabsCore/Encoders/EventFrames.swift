import CSinabsKernels

/// How DVS events are grouped into frames.
public enum EventBinning: Sendable {
    /// `count` equal bins over [t_start, last t]; the last event falls in the last bin.
    case timeBins(Int)
    /// Bins `width` wide from t_start: bin k holds t_start + k*width <= t < t_start + (k+1)*width,
    /// up to the bin of the last event (a partial last window is kept).
    case window(Double)
}

/// DVS events binned into frames: (Time, 2, H, W) float counts.
///
/// The convention is tonic's `ToFrame` with `include_incomplete=True` for
/// time windows; for a number of bins, equal bins over [t_start, last t]
/// where the last event counts in the last bin (tonic drops the remainder
/// of an integer division instead). Polarity > 0 is channel 1, else channel
/// 0. Events need not be sorted. An event outside the sensor or before
/// t_start, or a non-finite time, is an error: nothing is binned then.
public enum EventFrames {
    /// Frames of the events (t[i], x[i], y[i], p[i]); the four buffers have one length.
    ///
    /// - Parameters:
    ///   - t: the event times, in any unit (`binning` uses the same).
    ///   - x: the columns, in 0..<width.
    ///   - y: the rows, in 0..<height.
    ///   - p: the polarities: > 0 counts in channel 1, else channel 0.
    ///   - height: the sensor's rows, >= 1.
    ///   - width: the sensor's columns, >= 1.
    ///   - binning: a number of bins or a time window.
    ///   - tStart: the start of the first bin; nil = the earliest event (0 without events).
    /// - Throws: `.invalidArgument` (lengths differ, sizes < 1, bins < 1, window not > 0,
    ///   an event outside the sensor or before tStart, a non-finite time),
    ///   `.outOfMemory` (too many frames).
    public static func frames(t: UnsafeBufferPointer<Double>, x: UnsafeBufferPointer<Int32>,
                              y: UnsafeBufferPointer<Int32>, p: UnsafeBufferPointer<Int32>,
                              height: Int, width: Int, binning: EventBinning, tStart: Double? = nil) throws -> Tensor {
        let n = t.count
        guard x.count == n, y.count == n, p.count == n else {
            throw SinabsError.invalid("t, x, y and p must have one length, got \(n), \(x.count), \(y.count), \(p.count)")
        }
        guard height >= 1, width >= 1 else { throw SinabsError.invalid("the sensor size must be >= 1, got (\(height), \(width))") }
        if let tStart, !tStart.isFinite { throw SinabsError.invalid("t_start must be finite, got \(tStart)") }
        var first = 0.0, last = 0.0
        let bad = snk_events_check(t.baseAddress, x.baseAddress, y.baseAddress, Int64(n), Int64(height), Int64(width),
                                   &first, &last)
        if bad >= 0 {
            let i = Int(bad)
            guard t[i].isFinite else { throw SinabsError.invalid("event \(i) has a non-finite time \(t[i])") }
            throw SinabsError.invalid("event \(i) at x=\(x[i]), y=\(y[i]) lies outside the sensor (height \(height), width \(width))")
        }
        let start = tStart ?? (n > 0 ? first : 0)
        guard n == 0 || first >= start else {
            throw SinabsError.invalid("an event at t=\(first) lies before t_start=\(start)")
        }
        // bin = floor((t - start) / divisor * multiplier), in the operation order of the documented rule.
        let frameCount: Int, divisor: Double, multiplier: Double
        switch binning {
        case .timeBins(let count):
            guard count >= 1 else { throw SinabsError.invalid("the number of time bins must be >= 1, got \(count)") }
            let span = last - start
            frameCount = count
            (divisor, multiplier) = span > 0 ? (span, Double(count)) : (1, 0)
        case .window(let width):
            guard width > 0, width.isFinite else { throw SinabsError.invalid("the time window must be > 0 and finite, got \(width)") }
            let bins = n > 0 ? ((last - start) / width).rounded(.down) + 1 : 0
            guard bins < Double(Int32.max) else {
                throw SinabsError(.outOfMemory, "a time window of \(width) makes \(bins) frames")
            }
            frameCount = Int(bins)
            (divisor, multiplier) = (width, 1)
        }
        let frames = try Tensor(zeros: [frameCount, 2, height, width])
        guard n > 0, let out = frames.baseAddress else { return frames }
        snk_events_scatter(t.baseAddress, x.baseAddress, y.baseAddress, p.baseAddress, Int64(n), Int64(height),
                           Int64(width), start, divisor, multiplier, Int64(frameCount), out)
        return frames
    }

    /// As the buffer form, from arrays.
    public static func frames(t: [Double], x: [Int32], y: [Int32], p: [Int32], height: Int, width: Int,
                              binning: EventBinning, tStart: Double? = nil) throws -> Tensor {
        try t.withUnsafeBufferPointer { t in
            try x.withUnsafeBufferPointer { x in
                try y.withUnsafeBufferPointer { y in
                    try p.withUnsafeBufferPointer { p in
                        try frames(t: t, x: x, y: y, p: p, height: height, width: width, binning: binning, tStart: tStart)
                    }
                }
            }
        }
    }
}
