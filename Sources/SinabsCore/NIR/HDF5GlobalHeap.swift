/// Variable-length strings resolved from the file's own bytes, every offset
/// bounds-checked. libhdf5 1.10's conversion of variable-length data trusts
/// the global heap: a damaged file makes it copy past its buffers (H5HG_read
/// crashed under our fuzzer). Each stored element is a 4-byte length and a
/// global heap id (collection address, 4-byte object index); a collection is
/// "GCOL", version 1, 3 reserved bytes, its size, then objects: index (2),
/// reference count (2), reserved (4), size, data padded to 8 bytes.
struct HDF5GlobalHeap {
    let bytes: [UInt8]
    /// The file's "size of offsets" and "size of lengths" (superblock).
    let offsetSize: Int
    let lengthSize: Int

    init(bytes: [UInt8], offsetSize: Int, lengthSize: Int) throws {
        guard [2, 4, 8].contains(offsetSize), [2, 4, 8].contains(lengthSize) else {
            throw SinabsError.invalid("HDF5 file with unsupported offset/length sizes \(offsetSize)/\(lengthSize)")
        }
        self.bytes = bytes
        self.offsetSize = offsetSize
        self.lengthSize = lengthSize
    }

    var elementSize: Int { 4 + offsetSize + 4 }

    /// `count` strings whose descriptors start at file offset `address`.
    func strings(at address: Int, count: Int, path: String) throws -> [String] {
        try (0..<count).map { i in
            let at = address + i * elementSize
            let length = try uint(at, 4, path), collection = try uint(at + 4, offsetSize, path)
            let index = try uint(at + 4 + offsetSize, 4, path)
            if length == 0 { return "" }
            let data = try object(collection, index, path)
            guard data.count == length else { throw damaged(path) }
            return String(decoding: data, as: UTF8.self)
        }
    }

    private func object(_ collection: Int, _ index: Int, _ path: String) throws -> ArraySlice<UInt8> {
        let header = 8 + lengthSize
        guard try slice(collection, 5, path) == [0x47, 0x43, 0x4f, 0x4c, 1] else { throw damaged(path) }  // "GCOL", 1
        let size = try uint(collection + 8, lengthSize, path)
        guard size <= bytes.count - collection else { throw damaged(path) }
        let end = collection + size
        var at = collection + header
        while at + header <= end {
            let objectIndex = try uint(at, 2, path), objectSize = try uint(at + 8, lengthSize, path)
            guard objectIndex != 0 else { break }  // free space: the rest of the collection
            guard objectSize <= end - at - header else { throw damaged(path) }
            if objectIndex == index { return try slice(at + header, objectSize, path) }
            at += header + (objectSize + 7) / 8 * 8
        }
        throw damaged(path)
    }

    private func slice(_ at: Int, _ count: Int, _ path: String) throws -> ArraySlice<UInt8> {
        guard at >= 0, count >= 0, at <= bytes.count, count <= bytes.count - at else { throw damaged(path) }
        return bytes[at..<at + count]
    }

    /// A little-endian unsigned integer of `size` bytes, below 2^48 (larger
    /// offsets or sizes cannot be in a file we could read).
    private func uint(_ at: Int, _ size: Int, _ path: String) throws -> Int {
        var value: UInt64 = 0
        for (k, byte) in try slice(at, size, path).enumerated() { value |= UInt64(byte) << (8 * UInt64(k)) }
        guard value < 1 << 48 else { throw damaged(path) }
        return Int(value)
    }

    private func damaged(_ path: String) -> SinabsError {
        SinabsError.invalid("the strings of '\(path)' are damaged (bad global heap reference)")
    }
}
