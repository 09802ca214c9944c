import CSinabsKernels

// With stride 1, the input gradient of a convolution is itself a
// convolution: of dY, by the weight flipped in space with its channel axes
// swapped, padded by dilation x (kernel - 1) - padding. As a forward conv it
// takes one im2col of dY and one GEMM that writes dX outright, instead of a
// GEMM into a patch matrix that col2im then adds into a zeroed dX. Measured
// (one thread, backward with its forward) on workload B's 32 -> 32 layer at
// 8x8: 15.8 -> 14.1 ms. On its 16 -> 32 layer at 17x17, whose dY has twice
// dX's channels (a patch matrix twice col2im's), col2im stayed faster: 22.7
// against 26.4 ms. Hence the size rule below.
extension ConvPlan {
    /// The geometry of dX = conv(dY, flipped weight), or nil when the stride
    /// is not 1, the padding exceeds the kernel's reach (a crop), or its
    /// patch matrix would be larger than col2im's (more outputs per group
    /// than inputs, for the same plane).
    var inputGradientAsConvolution: snk_conv_shape? {
        let s = shape
        let padH = s.dilation_h * (s.kernel_h - 1) - s.pad_h, padW = s.dilation_w * (s.kernel_w - 1) - s.pad_w
        guard s.stride_h == 1, s.stride_w == 1, padH >= 0, padW >= 0,
              s.out_channels * s.height * s.width <= s.channels * s.out_h * s.out_w else { return nil }
        return snk_conv_shape(
            channels: s.out_channels, height: s.out_h, width: s.out_w,
            out_channels: s.channels, out_h: s.height, out_w: s.width,
            groups: s.groups, kernel_h: s.kernel_h, kernel_w: s.kernel_w, stride_h: 1, stride_w: 1,
            pad_h: padH, pad_w: padW, dilation_h: s.dilation_h, dilation_w: s.dilation_w)
    }
}

extension Conv2d {
    /// The weight of inputGradientAsConvolution: flipped[c][j][ky][kx] =
    /// weight[group's output j][c's index in its group][kh-1-ky][kw-1-kx],
    /// (inChannels, outChannels / groups, kh, kw).
    func flippedWeight() throws -> UnsafeMutablePointer<Float> {
        let flipped = try workspace.buffer("weight_flipped", count: weight.count)
        guard let w = weight.baseAddress else { return flipped }
        let kh = geometry.kernel.height, kw = geometry.kernel.width, taps = kh * kw
        let cg = inChannels / groups, og = outChannels / groups
        for o in 0..<outChannels {
            let group = o / og, j = o % og
            for c in 0..<cg {
                let source = w + (o * cg + c) * taps, target = flipped + ((group * cg + c) * og + j) * taps
                for t in 0..<taps { target[t] = source[taps - 1 - t] }
            }
        }
        return flipped
    }
}
