import COpenBLAS

/// Dense products over OpenBLAS, row-major float32.
enum Gemm {
    /// c[m x n] = a[m x k] * b^T (b is n x k) + beta * c.
    static func multiplyTransposedB(m: Int, n: Int, k: Int,
                                    a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                    c: UnsafeMutablePointer<Float>, beta: Float) {
        guard m > 0, n > 0, k > 0 else { return }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(k), beta, c, Int32(n))
    }
}
