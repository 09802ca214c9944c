import CSinabs

/// Reads a caller's options struct that starts with `uint32_t struct_size`:
/// only `struct_size` bytes of it, over `defaults`, so callers compiled
/// against an older, shorter struct keep working. `required` is the offset up
/// to which the caller must have written (the fields without defaults).
func readStruct<T>(_ pointer: UnsafePointer<T>?, defaults: T, required: Int, _ what: String) throws -> T {
    guard let pointer else { throw invalid("options is NULL") }
    let size = Int(UnsafeRawPointer(pointer).load(as: UInt32.self))
    guard size >= required else {
        throw invalid("options.struct_size \(size) is too small; call \(what)_init first")
    }
    var result = defaults
    withUnsafeMutableBytes(of: &result) { dst in
        dst.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: min(size, dst.count)))
    }
    return result
}

/// A C flag that must be 0 or 1.
func readFlag(_ value: Int32, _ name: String) throws -> Bool {
    guard value == 0 || value == 1 else { throw invalid("\(name) must be 0 or 1, got \(value)") }
    return value == 1
}

/// A C size argument as Int, within what the core accepts (Int32 range).
func readSize(_ value: Int64, _ name: String, _ range: ClosedRange<Int64> = 1...Int64(Int32.max)) throws -> Int {
    guard range.contains(value) else {
        throw invalid("\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
    }
    return Int(value)
}
