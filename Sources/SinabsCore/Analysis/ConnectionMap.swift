/// How many synapses leave each input element of a Conv2d: for every input
/// position, the output channels of its group times the kernel taps that reach
/// a valid output position (sinabs gets this from a transposed convolution of ones).
enum ConnectionMap {
    /// (channels, height, width) counts, flattened.
    static func counts(for conv: Conv2d, inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int) -> [Float] {
        let g = conv.geometry
        var plane = [Float](repeating: 0, count: inputHeight * inputWidth)
        for oh in 0..<outputHeight {
            for kh in 0..<g.kernel.height {
                let ih = oh * g.stride.height - g.padding.height + kh * g.dilation.height
                guard ih >= 0, ih < inputHeight else { continue }
                for ow in 0..<outputWidth {
                    for kw in 0..<g.kernel.width {
                        let iw = ow * g.stride.width - g.padding.width + kw * g.dilation.width
                        if iw >= 0, iw < inputWidth { plane[ih * inputWidth + iw] += 1 }
                    }
                }
            }
        }
        let fanOut = Float(conv.outChannels / max(conv.groups, 1))
        var map: [Float] = []
        map.reserveCapacity(conv.inChannels * plane.count)
        for _ in 0..<conv.inChannels { map.append(contentsOf: plane.map { $0 * fanOut }) }
        return map
    }
}
