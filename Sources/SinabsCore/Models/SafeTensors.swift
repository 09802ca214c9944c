/// The safetensors format (huggingface/safetensors), float32 only: an 8-byte
/// little-endian header length, a JSON header (tensor name -> dtype "F32",
/// shape, data_offsets into the data; optional "__metadata__" of string ->
/// string), then the raw little-endian data. Loadable with the `safetensors`
/// package (numpy or torch); reading checks every size and offset, so a
/// truncated or foreign file is an error, never a crash.
public struct SafeTensors {
    /// The "__metadata__" entries (string -> string), in order.
    public var metadata: [(String, String)] = []
    /// The tensors by name, in file order.
    public var tensors: [(name: String, tensor: Tensor)] = []

    /// The safetensors library refuses larger headers too.
    static let maxHeaderBytes = 100_000_000

    /// A file of `tensors` with `metadata`.
    public init(metadata: [(String, String)] = [], tensors: [(name: String, tensor: Tensor)] = []) {
        self.metadata = metadata
        self.tensors = tensors
    }

    /// The file's bytes: header padded to 8 bytes, then the tensors' data in order.
    public func encoded() throws -> [UInt8] {
        var header: [(String, JSON)] = []
        if !metadata.isEmpty { header.append(("__metadata__", .object(metadata.map { ($0.0, .string($0.1)) }))) }
        var offset = 0
        for (name, tensor) in tensors {
            guard name != "__metadata__", !name.isEmpty else { throw SinabsError.invalid("bad tensor name '\(name)'") }
            let end = offset + tensor.count * 4
            header.append((name, .object([("dtype", .string("F32")), ("shape", .array(tensor.shape.map(JSON.int))),
                                          ("data_offsets", .array([.int(offset), .int(end)]))])))
            offset = end
        }
        var text = Array(JSON.object(header).text.utf8)
        while (8 + text.count) % 8 != 0 { text.append(0x20) }  // aligns the data, as the Python writer does
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + text.count + offset)
        var length = UInt64(text.count)
        for _ in 0..<8 {
            bytes.append(UInt8(length & 0xFF))
            length >>= 8
        }
        bytes += text
        for (_, tensor) in tensors {
            tensor.withUnsafeBufferPointer { values in
                for v in values {
                    let bits = v.bitPattern
                    bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
                }
            }
        }
        return bytes
    }

    /// Reads a file, checking every size and offset; `.invalidArgument` for a
    /// truncated, foreign or non-F32 file.
    public static func decode(_ bytes: [UInt8]) throws -> SafeTensors {
        func bad(_ message: String) -> SinabsError { SinabsError.invalid("not a valid safetensors file: \(message)") }
        guard bytes.count >= 8 else { throw bad("\(bytes.count) bytes, shorter than the 8-byte header length") }
        var headerLength: UInt64 = 0
        for i in (0..<8).reversed() { headerLength = headerLength << 8 | UInt64(bytes[i]) }
        guard headerLength <= UInt64(maxHeaderBytes), Int(headerLength) <= bytes.count - 8 else {
            throw bad("header length \(headerLength) exceeds the file (\(bytes.count) bytes); truncated?")
        }
        let dataStart = 8 + Int(headerLength)
        let header = try JSON.parse(bytes[8..<dataStart])
        guard case .object(let entries) = header else { throw bad("the header is not a JSON object") }
        let dataCount = bytes.count - dataStart
        var result = SafeTensors()
        for (name, entry) in entries {
            if name == "__metadata__" {
                guard case .object(let members) = entry else { throw bad("__metadata__ is not an object") }
                for (key, value) in members {
                    guard case .string(let text) = value else { throw bad("__metadata__ value '\(key)' is not a string") }
                    result.metadata.append((key, text))
                }
                continue
            }
            guard case .string("F32")? = entry["dtype"] else {
                throw SinabsError.invalid("tensor '\(name)': only dtype F32 is supported, got \(entry["dtype"]?.text ?? "none")")
            }
            guard case .array(let dims)? = entry["shape"], case .array(let offsets)? = entry["data_offsets"],
                  offsets.count == 2 else { throw bad("tensor '\(name)' lacks shape or data_offsets") }
            let shape = try dims.map { try nonNegative($0, name) }
            let count = try Shape.elementCount(shape)
            let (begin, end) = (try nonNegative(offsets[0], name), try nonNegative(offsets[1], name))
            guard begin <= end, end <= dataCount, end - begin == count * 4 else {
                throw bad("tensor '\(name)' has data_offsets [\(begin), \(end)] for \(count) floats in \(dataCount) data bytes; truncated?")
            }
            let tensor = try Tensor(zeros: shape)
            if let out = tensor.baseAddress {
                for i in 0..<count {
                    let at = dataStart + begin + 4 * i
                    let bits = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
                    out[i] = Float(bitPattern: bits)
                }
            }
            result.tensors.append((name, tensor))
        }
        return result
    }

    private static func nonNegative(_ value: JSON, _ name: String) throws -> Int {
        guard case .number(let text) = value, let n = Int(text), n >= 0 else {
            throw SinabsError.invalid("not a valid safetensors file: tensor '\(name)' has a bad size \(value.text)")
        }
        return n
    }
}
