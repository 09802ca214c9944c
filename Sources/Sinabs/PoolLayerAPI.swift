import CSinabs
import SinabsCore

private func defaultPoolOptions(_ kh: Int64, _ kw: Int64) -> sinabs_pool2d_options {
    sinabs_pool2d_options(struct_size: UInt32(MemoryLayout<sinabs_pool2d_options>.size), ceil_mode: 0,
                          kernel_h: kh, kernel_w: kw, stride_h: kh, stride_w: kw, padding_h: 0, padding_w: 0,
                          dilation_h: 1, dilation_w: 1, count_include_pad: 1, divisor_override: 0)
}

@c @implementation
public func sinabs_pool2d_options_init(_ options: UnsafeMutablePointer<sinabs_pool2d_options>?,
                                       _ kernel_h: Int64, _ kernel_w: Int64) -> sinabs_status {
    guarded {
        guard let options else { throw invalid("options is NULL") }
        options.pointee = defaultPoolOptions(kernel_h, kernel_w)
    }
}

/// The options with their sizes checked, and which pool-specific fields differ from the defaults.
private struct PoolArguments {
    let kernel: Pair2d, stride: Pair2d, padding: Pair2d, dilation: Pair2d
    let ceilMode: Bool, countIncludePad: Bool, divisorOverride: Int?

    init(_ pointer: UnsafePointer<sinabs_pool2d_options>?) throws {
        let required = MemoryLayout<sinabs_pool2d_options>.offset(of: \.stride_h)!
        var defaults = defaultPoolOptions(0, 0)
        if let pointer, Int(pointer.pointee.struct_size) >= required {  // stride defaults to the kernel
            defaults = defaultPoolOptions(pointer.pointee.kernel_h, pointer.pointee.kernel_w)
        }
        let o = try readStruct(pointer, defaults: defaults, required: required, "sinabs_pool2d_options")
        let zeroUp = 0...Int64(Int32.max)
        kernel = Pair2d(try readSize(o.kernel_h, "kernel_h"), try readSize(o.kernel_w, "kernel_w"))
        stride = Pair2d(try readSize(o.stride_h, "stride_h"), try readSize(o.stride_w, "stride_w"))
        padding = Pair2d(try readSize(o.padding_h, "padding_h", zeroUp), try readSize(o.padding_w, "padding_w", zeroUp))
        dilation = Pair2d(try readSize(o.dilation_h, "dilation_h"), try readSize(o.dilation_w, "dilation_w"))
        ceilMode = try readFlag(o.ceil_mode, "ceil_mode")
        countIncludePad = try readFlag(o.count_include_pad, "count_include_pad")
        divisorOverride = o.divisor_override == 0 ? nil : try readSize(o.divisor_override, "divisor_override")
    }

    /// Refuses fields that `layer` does not have when they differ from the defaults.
    func refuse(_ layer: String, padding refusePadding: Bool, dilation refuseDilation: Bool, average refuseAverage: Bool) throws {
        if refusePadding, padding != Pair2d(0) { throw invalid("\(layer) has no padding") }
        if refuseDilation, dilation != Pair2d(1) { throw invalid("\(layer) has no dilation") }
        if refuseAverage, !countIncludePad || divisorOverride != nil {
            throw invalid("\(layer) has no count_include_pad or divisor_override")
        }
    }
}

@c @implementation
public func sinabs_avg_pool2d_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                           _ options: UnsafePointer<sinabs_pool2d_options>?) -> sinabs_status {
    guarded(out: out) { out in
        let a = try PoolArguments(options)
        try a.refuse("AvgPool2d", padding: false, dilation: true, average: false)
        out.pointee = retainedHandle(try AvgPool2d(kernelSize: a.kernel, stride: a.stride, padding: a.padding,
                                                   ceilMode: a.ceilMode, countIncludePad: a.countIncludePad,
                                                   divisorOverride: a.divisorOverride))
    }
}

@c @implementation
public func sinabs_sum_pool2d_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                           _ options: UnsafePointer<sinabs_pool2d_options>?) -> sinabs_status {
    guarded(out: out) { out in
        let a = try PoolArguments(options)
        try a.refuse("SumPool2d", padding: true, dilation: true, average: true)
        out.pointee = retainedHandle(try SumPool2d(kernelSize: a.kernel, stride: a.stride, ceilMode: a.ceilMode))
    }
}

@c @implementation
public func sinabs_max_pool2d_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                           _ options: UnsafePointer<sinabs_pool2d_options>?) -> sinabs_status {
    guarded(out: out) { out in
        let a = try PoolArguments(options)
        try a.refuse("MaxPool2d", padding: false, dilation: false, average: true)
        out.pointee = retainedHandle(try MaxPool2d(kernelSize: a.kernel, stride: a.stride, padding: a.padding,
                                                   dilation: a.dilation, ceilMode: a.ceilMode))
    }
}
