import SinabsCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// Model parameter names ("12.weight") handed to C as borrowed strings: each
// distinct name is copied once and kept for the life of the process, so a
// pointer stays valid whatever happens to the model. The set is small (layer
// index x parameter name).
private let interned = Mutex<[String: UnsafeMutablePointer<CChar>]>([:])

func internedName(_ name: String) throws -> UnsafePointer<CChar> {
    try interned.withLock { table in
        if let existing = table[name] { return UnsafePointer(existing) }
        guard let copy = strdup(name) else { throw SinabsError(.outOfMemory, "cannot copy a name") }
        table[name] = copy
        return UnsafePointer(copy)
    }
}
