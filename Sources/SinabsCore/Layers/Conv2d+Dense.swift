import CSinabsKernels

// Dense Conv2d: samples are claimed one at a time by our threads; each lays
// out one sample's patches (im2col) in its own buffer, which stays in L2 for
// the GEMM that follows, straight into the sample's output rows. OpenBLAS
// runs every product on the calling thread (Gemm.multiplyOnCallingThread):
// its own threads would fight ours and spin after each call. Measured on
// 400 dense frames, 2 threads, against one patch matrix for many samples
// with OpenBLAS' threads: 32 -> 16 channels at 17x17 21.7 -> 10.9 ms,
// 16 -> 32 at 17x17 18.9 -> 8.6 ms, 32 -> 32 at 8x8 7.4 -> 5.1 ms (torch's
// oneDNN convolution: 3.4, 3.6 and 1.2 ms).
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
