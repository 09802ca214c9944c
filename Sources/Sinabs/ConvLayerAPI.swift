import CSinabs
import SinabsCore

private func defaultConvOptions(_ inChannels: Int64, _ outChannels: Int64, _ kh: Int64, _ kw: Int64) -> sinabs_conv2d_options {
    sinabs_conv2d_options(struct_size: UInt32(MemoryLayout<sinabs_conv2d_options>.size), bias: 1,
                          in_channels: inChannels, out_channels: outChannels, kernel_h: kh, kernel_w: kw,
                          stride_h: 1, stride_w: 1, padding_h: 0, padding_w: 0, dilation_h: 1, dilation_w: 1,
                          groups: 1, seed: 0)
}

@c @implementation
public func sinabs_conv2d_options_init(_ options: UnsafeMutablePointer<sinabs_conv2d_options>?,
                                       _ in_channels: Int64, _ out_channels: Int64,
                                       _ kernel_h: Int64, _ kernel_w: Int64) -> sinabs_status {
    guarded {
        guard let options else { throw invalid("options is NULL") }
        options.pointee = defaultConvOptions(in_channels, out_channels, kernel_h, kernel_w)
    }
}

@c @implementation
public func sinabs_conv2d_layer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                       _ options: UnsafePointer<sinabs_conv2d_options>?) -> sinabs_status {
    guarded(out: out) { out in
        let required = MemoryLayout<sinabs_conv2d_options>.offset(of: \.stride_h)!
        let o = try readStruct(options, defaults: defaultConvOptions(0, 0, 0, 0), required: required,
                               "sinabs_conv2d_options")
        let padding = 0...Int64(Int32.max)
        let layer = try Conv2d(
            inChannels: try readSize(o.in_channels, "in_channels"), outChannels: try readSize(o.out_channels, "out_channels"),
            kernelSize: Pair2d(try readSize(o.kernel_h, "kernel_h"), try readSize(o.kernel_w, "kernel_w")),
            stride: Pair2d(try readSize(o.stride_h, "stride_h"), try readSize(o.stride_w, "stride_w")),
            padding: Pair2d(try readSize(o.padding_h, "padding_h", padding), try readSize(o.padding_w, "padding_w", padding)),
            dilation: Pair2d(try readSize(o.dilation_h, "dilation_h"), try readSize(o.dilation_w, "dilation_w")),
            groups: try readSize(o.groups, "groups"), bias: try readFlag(o.bias, "bias"),
            seed: o.seed == 0 ? nil : o.seed)
        out.pointee = retainedHandle(layer)
    }
}

@c @implementation
public func sinabs_conv2d_layer_set_kernel(_ handle: OpaquePointer?, _ kernel: Int32) -> sinabs_status {
    guarded {
        let choice: ConvKernelChoice
        switch kernel {
        case SINABS_CONV_KERNEL_AUTO: choice = .automatic
        case SINABS_CONV_KERNEL_DENSE: choice = .dense
        case SINABS_CONV_KERNEL_SPARSE: choice = .sparse
        default: throw invalid("unknown conv kernel \(kernel)")
        }
        try withLayer(handle) { layer in
            switch layer {
            case let conv as Conv2d: conv.kernelChoice = choice
            case let linear as Linear: linear.kernelChoice = choice
            default: throw invalid("layer is not a Conv2d or Linear layer")
            }
        }
    }
}
