import CSinabs
import SinabsCore

@c @implementation
public func sinabs_tensor_create(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                 _ shape: UnsafePointer<Int64>?, _ rank: Int32) -> sinabs_status {
    guarded(out: out) { out in
        out.pointee = retainedHandle(try Tensor(zeros: try readShape(shape, rank)))
    }
}

@c @implementation
public func sinabs_tensor_create_copy(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                      _ shape: UnsafePointer<Int64>?, _ rank: Int32,
                                      _ data: UnsafePointer<Float>?, _ count: Int64) -> sinabs_status {
    guarded(out: out) { out in
        let dims = try readShape(shape, rank)
        guard count >= 0 else { throw invalid("count is negative (\(count))") }
        guard count == 0 || data != nil else { throw invalid("data is NULL for \(count) values") }
        let values = UnsafeBufferPointer(start: count == 0 ? nil : data, count: Int(count))
        out.pointee = retainedHandle(try Tensor(shape: dims, copying: values))
    }
}

@c @implementation
public func sinabs_tensor_wrap(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                               _ shape: UnsafePointer<Int64>?, _ rank: Int32,
                               _ data: UnsafeMutablePointer<Float>?,
                               _ release: sinabs_release_fn?,
                               _ context: UnsafeMutableRawPointer?) -> sinabs_status {
    guarded(out: out) { out in
        let dims = try readShape(shape, rank)
        let onRelease: ((UnsafeMutablePointer<Float>?) -> Void)? = release.map { release in
            { data in release(context, data) }
        }
        out.pointee = retainedHandle(try Tensor.wrapping(data, shape: dims, release: onRelease))
    }
}

@c @implementation
public func sinabs_tensor_free(_ tensor: OpaquePointer?) {
    releaseHandle(tensor, as: Tensor.self, kind: "tensor")
}

@c @implementation
public func sinabs_tensor_copy(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                               _ source: OpaquePointer?) -> sinabs_status {
    guarded(out: out) { out in
        out.pointee = retainedHandle(try tensor(source, "source").copy())
    }
}

@c @implementation
public func sinabs_tensor_reshape(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                  _ source: OpaquePointer?,
                                  _ shape: UnsafePointer<Int64>?, _ rank: Int32) -> sinabs_status {
    guarded(out: out) { out in
        let source = try tensor(source, "source")
        let dims = try readShape(shape, rank)
        guard dims.allSatisfy({ $0 >= -1 }) else { throw invalid("dimensions must be >= -1, got \(dims)") }
        out.pointee = retainedHandle(try source.reshaped(dims))
    }
}

@c @implementation
public func sinabs_tensor_data(_ out: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>?,
                               _ t: OpaquePointer?) -> sinabs_status {
    guarded { try write(try tensor(t).baseAddress, to: out) }
}

@c @implementation
public func sinabs_tensor_rank(_ out_rank: UnsafeMutablePointer<Int32>?, _ t: OpaquePointer?) -> sinabs_status {
    guarded { try write(Int32(try tensor(t).rank), to: out_rank, "out_rank") }
}

@c @implementation
public func sinabs_tensor_shape(_ out_shape: UnsafeMutablePointer<Int64>?, _ capacity: Int32,
                                _ out_rank: UnsafeMutablePointer<Int32>?,
                                _ t: OpaquePointer?) -> sinabs_status {
    guarded {
        let dims = try tensor(t).shape
        guard let out_shape, out_rank != nil else { throw invalid("out_shape or out_rank is NULL") }
        guard Int(capacity) >= dims.count else {
            throw invalid("capacity \(capacity) is smaller than the rank \(dims.count)")
        }
        for (i, d) in dims.enumerated() { out_shape[i] = Int64(d) }
        try write(Int32(dims.count), to: out_rank)
    }
}

@c @implementation
public func sinabs_tensor_numel(_ out_count: UnsafeMutablePointer<Int64>?, _ t: OpaquePointer?) -> sinabs_status {
    guarded { try write(Int64(try tensor(t).count), to: out_count, "out_count") }
}

@c @implementation
public func sinabs_tensor_copy_into(_ destination: OpaquePointer?, _ source: OpaquePointer?) -> sinabs_status {
    guarded {
        try tensor(destination, "destination").copyElements(from: try tensor(source, "source"))
    }
}
