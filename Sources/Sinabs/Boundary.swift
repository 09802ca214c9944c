import CSinabs
import SinabsCore

// The one place where Swift errors become C status codes. Every exported
// function runs its body through `guarded`: a thrown SinabsError sets the
// thread's message and returns its code. Nothing here may trap: all input is
// checked before it reaches the core.

func guarded(_ body: () throws -> Void) -> sinabs_status {
    do {
        try body()
        return SINABS_OK
    } catch let error as SinabsError {
        return fail(error.code.rawValue, error.message)
    } catch {
        return fail(SINABS_ERR_INTERNAL, "unexpected error: \(error)")
    }
}

/// Like `guarded`, and sets `*out` to NULL first so that a failed call never
/// leaves a stale handle behind.
func guarded(out: UnsafeMutablePointer<OpaquePointer?>?,
             _ body: (UnsafeMutablePointer<OpaquePointer?>) throws -> Void) -> sinabs_status {
    guard let out else { return fail(SINABS_ERR_INVALID_ARGUMENT, "out is NULL") }
    out.pointee = nil
    return guarded { try body(out) }
}

func fail(_ code: sinabs_status, _ message: String) -> sinabs_status {
    message.withCString { snb_set_last_error($0) }
    return code
}

func invalid(_ message: String) -> SinabsError { SinabsError(.invalidArgument, message) }

/// Reads a C array of `rank` dimensions.
func readShape(_ shape: UnsafePointer<Int64>?, _ rank: Int32) throws -> [Int] {
    guard rank >= 0, Int(rank) <= Shape.maxRank else {
        throw invalid("rank \(rank) is outside 0...\(Shape.maxRank)")
    }
    guard rank == 0 || shape != nil else { throw invalid("shape is NULL for rank \(rank)") }
    return (0..<Int(rank)).map { Int(shape![$0]) }
}

/// Reads a NUL-terminated name.
func readName(_ name: UnsafePointer<CChar>?) throws -> String {
    guard let name else { throw invalid("name is NULL") }
    return String(cString: name)
}

/// Writes a non-NULL out-parameter.
func write<T>(_ value: T, to out: UnsafeMutablePointer<T>?, _ what: String = "out") throws {
    guard let out else { throw invalid("\(what) is NULL") }
    out.pointee = value
}
