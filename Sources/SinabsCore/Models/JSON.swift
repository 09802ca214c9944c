/// A small strict JSON value, reader and writer (RFC 8259), without
/// Foundation: what model files need. Object keys keep their order; numbers
/// keep their text so that integers and floats round-trip exactly.
public enum JSON: Equatable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// The number as written ("10", "-0.25", "1e-08").
    case number(String)
    /// A string, unescaped.
    case string(String)
    /// An array.
    case array([JSON])
    /// An object's members in file order (keys are unique).
    case object([(String, JSON)])

    /// Structural equality; objects compare their members in order.
    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The value of `key` in an object (nil otherwise).
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.0 == key })?.1
    }

    /// An integer number.
    public static func int(_ value: Int) -> JSON { .number(String(value)) }

    /// A float in its shortest text that reads back to the same Float; nil
    /// for NaN and infinities, which JSON cannot hold.
    public static func float(_ value: Float) -> JSON? {
        value.isFinite ? .number(value.description) : nil
    }
}

// MARK: Writing

extension JSON {
    /// Compact text (no spaces).
    public var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += "," }
                JSON.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = Array("0123456789abcdef")
                out += "\\u00" + String(hex[Int(scalar.value >> 4)]) + String(hex[Int(scalar.value & 15)])
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

// MARK: Reading

extension JSON {
    /// Parses `bytes` (UTF-8) as exactly one JSON value; throws
    /// `.invalidArgument` naming the byte offset of the first error. Nesting
    /// deeper than 64 is refused (no stack overflow on hostile input).
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws -> JSON where Bytes.Element == UInt8 {
        var reader = JSONReader(bytes: Array(bytes))
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.position == reader.bytes.count else { throw reader.error("unexpected text after the value") }
        return value
    }

    /// Parses `text` as exactly one JSON value (see `parse(_:)` on bytes).
    public static func parse(_ text: String) throws -> JSON { try parse(Array(text.utf8)) }
}

struct JSONReader {
    let bytes: [UInt8]
    var position = 0
    static let maxDepth = 64

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> SinabsError {
        SinabsError.invalid("bad JSON at byte \(position): \(message)")
    }

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipSpace() {
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { position += 1 }
    }

    mutating func expect(_ literal: String, _ value: JSON) throws -> JSON {
        for b in literal.utf8 {
            guard peek == b else { throw error("expected '\(literal)'") }
            position += 1
        }
        return value
    }

    mutating func value(depth: Int) throws -> JSON {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        guard let b = peek else { throw error("unexpected end") }
        switch b {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        default: return .number(try number())
        }
    }

    mutating func object(depth: Int) throws -> JSON {
        position += 1
        var members: [(String, JSON)] = []
        skipSpace()
        if peek == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw error("expected a key string") }
            let key = try string()
            guard !members.contains(where: { $0.0 == key }) else { throw error("duplicate key '\(key)'") }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            skipSpace()
            members.append((key, try value(depth: depth + 1)))
            skipSpace()
            guard let next = peek else { throw error("unterminated object") }
            position += 1
            if next == UInt8(ascii: "}") { return .object(members) }
            guard next == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
        }
    }

    mutating func array(depth: Int) throws -> JSON {
        position += 1
        var items: [JSON] = []
        skipSpace()
        if peek == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard let next = peek else { throw error("unterminated array") }
            position += 1
            if next == UInt8(ascii: "]") { return .array(items) }
            guard next == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
        }
    }

    mutating func number() throws -> String {
        let start = position
        func digits() -> Int {
            let from = position
            while let b = peek, b >= 0x30, b <= 0x39 { position += 1 }
            return position - from
        }
        if peek == UInt8(ascii: "-") { position += 1 }
        let first = peek
        guard digits() > 0 else { throw error("expected a value") }
        if first == UInt8(ascii: "0"), position - start > (bytes[start] == UInt8(ascii: "-") ? 2 : 1) {
            throw error("leading zero in a number")
        }
        if peek == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("expected digits after '.'") }
        }
        if let e = peek, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            position += 1
            if let sign = peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("expected exponent digits") }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    mutating func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let b = peek else { throw error("unterminated \\u escape") }
            let digit: UInt8
            switch b {
            case 0x30...0x39: digit = b - 0x30
            case 0x41...0x46: digit = b - 0x41 + 10
            case 0x61...0x66: digit = b - 0x61 + 10
            default: throw error("bad hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    mutating func string() throws -> String {
        position += 1  // the opening quote
        var scalars = String.UnicodeScalarView()
        var run: [UInt8] = []  // raw UTF-8 between escapes
        func flush() throws {
            guard !run.isEmpty else { return }
            guard let text = String(validating: run, as: UTF8.self) else { throw error("invalid UTF-8 in a string") }
            scalars.append(contentsOf: text.unicodeScalars)
            run.removeAll(keepingCapacity: true)
        }
        while true {
            guard let b = peek else { throw error("unterminated string") }
            position += 1
            switch b {
            case UInt8(ascii: "\""):
                try flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                try flush()
                guard let e = peek else { throw error("unterminated escape") }
                position += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {  // a surrogate pair
                        guard peek == UInt8(ascii: "\\") else { throw error("lone high surrogate") }
                        position += 1
                        guard peek == UInt8(ascii: "u") else { throw error("lone high surrogate") }
                        position += 1
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("bad low surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("lone low surrogate") }
                    scalars.append(scalar)
                default: throw error("unknown escape")
                }
            case 0..<0x20: throw error("control character in a string")
            default: run.append(b)
            }
        }
    }
}
