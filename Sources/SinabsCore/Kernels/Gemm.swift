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

    /// c[m x n] = op(a) * op(b) + beta * c, op = transpose where asked; rows of
    /// a, b, c are lda, ldb, ldc elements apart (strided views, no copies).
    static func multiply(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        guard m > 0, n > 0, k > 0 else { return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
