import COpenBLAS
import CSinabsKernels

/// Dense products over OpenBLAS, row-major float32.
enum Gemm {
    /// OpenBLAS runs a product of more multiply-adds than this on its own
    /// threads (its SMP threshold, 65536 x 4), which then spin-wait for about
    /// 0.1 s, taking a core from whatever runs next: on workload B, the next
    /// forward's conv blocks. Products up to `rowSplitLimit` are cut by rows
    /// into pieces below it, run on our threads: OpenBLAS stays on one.
    static let openBLASThreadedAbove = 65536 * 4
    static let rowSplitLimit = 1 << 25

    /// c[m x n] = a[m x k] * b^T (b is n x k) + beta * c. `splitRows`: cut a
    /// mid-sized product by rows onto our threads (one call per layer
    /// forward; not per time step, where starting threads would cost more).
    static func multiplyTransposedB(m: Int, n: Int, k: Int,
                                    a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                    c: UnsafeMutablePointer<Float>, beta: Float, splitRows: Bool = false) {
        guard m > 0, n > 0, k > 0 else { return }
        let work = m * n * k
        guard splitRows, work > openBLASThreadedAbove, work <= rowSplitLimit, Threads.count > 1 else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                        1, a, Int32(k), b, Int32(k), beta, c, Int32(n))
            return
        }
        let rows = max(1, openBLASThreadedAbove / (n * k)), count = (m + rows - 1) / rows
        var pieces = RowPieces(rows: rows, m: m, n: n, k: k, a: a, b: b, c: c, beta: beta)
        withUnsafeMutablePointer(to: &pieces) { context in
            snk_parallel_for(Int64(count), Int64(rows * n * k), { context, begin, end in
                let p = context!.assumingMemoryBound(to: RowPieces.self).pointee
                for piece in Int(begin)..<Int(end) {
                    let first = piece * p.rows, rows = min(p.rows, p.m - first)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(p.n), Int32(p.k),
                                1, p.a + first * p.k, Int32(p.k), p.b, Int32(p.k), p.beta,
                                p.c + first * p.n, Int32(p.n))
                }
            }, context)
        }
    }

    /// multiplyTransposedB's pieces of `rows` rows, for the C callback.
    private struct RowPieces {
        let rows, m, n, k: Int
        let a, b: UnsafePointer<Float>
        let c: UnsafeMutablePointer<Float>
        let beta: Float
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

    /// `multiply`, cut into products of at most `openBLASThreadedAbove`
    /// multiply-adds so that OpenBLAS runs each on the calling thread: for
    /// callers that are already parallel. Cuts C's columns, else its rows
    /// (pieces of at least 16), else the inner dimension (accumulating).
    static func multiplyOnCallingThread(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                                        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                        c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        guard m > 0, n > 0, k > 0 else { return }
        let limit = openBLASThreadedAbove, minimumPiece = 16
        if m * n * k <= limit {
            multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                     a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, beta: beta)
        } else if limit / (m * k) >= minimumPiece {
            let step = limit / (m * k)
            for j in stride(from: 0, to: n, by: step) {
                multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: min(step, n - j), k: k,
                         a: a, lda: lda, b: transposeB ? b + j * ldb : b + j, ldb: ldb, c: c + j, ldc: ldc, beta: beta)
            }
        } else if limit / (n * k) >= minimumPiece {
            let step = limit / (n * k)
            for i in stride(from: 0, to: m, by: step) {
                multiply(transposeA: transposeA, transposeB: transposeB, m: min(step, m - i), n: n, k: k,
                         a: transposeA ? a + i : a + i * lda, lda: lda, b: b, ldb: ldb, c: c + i * ldc, ldc: ldc,
                         beta: beta)
            }
        } else {
            let step = max(1, limit / (m * n))
            for p in stride(from: 0, to: k, by: step) {
                multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: min(step, k - p),
                         a: transposeA ? a + p * lda : a + p, lda: lda, b: transposeB ? b + p : b + p * ldb, ldb: ldb,
                         c: c, ldc: ldc, beta: p == 0 ? beta : 1)
            }
        }
    }
}
