import CSinabsKernels

// Dense Conv2d: samples are claimed one at a time by our threads; each lays
// out one sample's patches (im2col) in its own buffer, which stays in L2 for
// the GEMM that follows, straight into the sample's output rows. OpenBLAS
// runs every product on the calling thread (Gemm.multiplyOnCallingThread):
// its own threads would fight ours and spin after each call. Measured on a
// 32 -> 16 channel 17x17 layer, 400 dense frames, 2 threads: 37.5 ms with
// one patch matrix for many samples and OpenBLAS threads, XX ms per sample.
extension Conv2d {
    func forwardDense(_ plan: ConvPlan, _ x: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                      _ y: UnsafeMutablePointer<Float>) throws {
        let rows = plan.patchRows, plane = plan.plane, og = plan.groupOutputs, outputs = outChannels
        let workers = Parallel.workers(count: plan.samples, cost: outputs * plane * rows)
        let columns = try workspace.buffer("col", count: workers * rows * plane)
        let bias = self.bias?.baseAddress, groups = self.groups, shape = plan.shape
        Parallel.forEach(plan.samples, workers: workers) { worker, n in
            var shape = shape
            let col = columns + worker * rows * plane
            let xs = x + n * plan.inputPerSample, ys = y + n * outputs * plane
            if let bias {  // the products below add to the bias
                for o in 0..<outputs { (ys + o * plane).update(repeating: bias[o], count: plane) }
            }
            for group in 0..<groups {
                snk_im2col_sample(&shape, xs, Int64(group), col)
                Gemm.multiplyOnCallingThread(m: og, n: plane, k: rows, a: w + group * og * rows, lda: rows,
                                             b: col, ldb: plane, c: ys + group * og * plane, ldc: plane,
                                             beta: bias == nil ? 0 : 1)
            }
        }
    }
}
