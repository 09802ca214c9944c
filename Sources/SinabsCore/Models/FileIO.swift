#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic writes on the C library (no Foundation).
enum FileIO {
    static func read(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw SinabsError(.notFound, "cannot open '\(path)' for reading: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            bytes += chunk[0..<n]
            if n < chunk.count { break }
        }
        guard ferror(file) == 0 else { throw SinabsError.invalid("cannot read '\(path)'") }
        return bytes
    }

    /// Writes to "<path>.tmp" and renames it over `path`: a reader never sees
    /// half a file, and a failed write leaves an existing file as it was.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp"
        guard let file = fopen(temporary, "wb") else {
            throw SinabsError.invalid("cannot open '\(temporary)' for writing: \(String(cString: strerror(errno)))")
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let closed = fclose(file)
        guard written == bytes.count, closed == 0 else {
            remove(temporary)
            throw SinabsError.invalid("cannot write '\(temporary)' (disk full?)")
        }
        guard rename(temporary, path) == 0 else {
            remove(temporary)
            throw SinabsError.invalid("cannot rename '\(temporary)' to '\(path)': \(String(cString: strerror(errno)))")
        }
    }
}
