// Typed reading of a LayerDescription's arguments for `init(description:)`:
// a missing, mistyped or unknown argument is an `.invalidArgument` error
// naming the kind and the argument.
extension LayerDescription {
    func failure(_ message: String) -> SinabsError { SinabsError.invalid("\(kind): \(message)") }

    /// Throws for an argument this kind does not take (likely a typo).
    public func checkArgumentNames(allowed: Set<String>) throws {
        for name in arguments.keys.sorted() where !allowed.contains(name) {
            throw failure("unknown argument '\(name)'")
        }
    }

    public func int(_ name: String, default fallback: Int? = nil) throws -> Int {
        switch arguments[name] {
        case .int(let v)?: return v
        case nil:
            guard let fallback else { throw failure("missing argument '\(name)'") }
            return fallback
        default: throw failure("'\(name)' must be an integer")
        }
    }

    /// nil for a missing argument or Python's None.
    public func optionalInt(_ name: String) throws -> Int? {
        switch arguments[name] {
        case .int(let v)?: return v
        case LayerArgument.none?, nil: return nil
        default: throw failure("'\(name)' must be an integer or None")
        }
    }

    /// A float argument; integers are accepted (Python's 10 for 10.0).
    /// Must be finite: hyper-parameters are never NaN or infinite.
    public func float(_ name: String, default fallback: Float? = nil) throws -> Float {
        guard let value = try optionalFloat(name) ?? fallback else {
            throw failure(arguments[name] == nil ? "missing argument '\(name)'" : "'\(name)' must not be None")
        }
        return value
    }

    /// nil for a missing argument or None.
    public func optionalFloat(_ name: String) throws -> Float? {
        let value: Float
        switch arguments[name] {
        case .float(let v)?: value = v
        case .int(let v)?: value = Float(v)
        case LayerArgument.none?, nil: return nil
        default: throw failure("'\(name)' must be a number")
        }
        guard value.isFinite else { throw failure("'\(name)' must be finite, got \(value)") }
        return value
    }

    public func bool(_ name: String, default fallback: Bool) throws -> Bool {
        switch arguments[name] {
        case .bool(let v)?: return v
        case nil: return fallback
        default: throw failure("'\(name)' must be true or false")
        }
    }

    public func string(_ name: String, default fallback: String? = nil) throws -> String {
        switch arguments[name] {
        case .string(let v)?: return v
        case nil:
            guard let fallback else { throw failure("missing argument '\(name)'") }
            return fallback
        default: throw failure("'\(name)' must be a string")
        }
    }

    /// Throws unless `kind` is one of `kinds`.
    public func checkKind(_ kinds: [String]) throws {
        guard kinds.contains(kind) else {
            throw SinabsError.invalid("'\(kind)' is not one of \(kinds)")
        }
    }
}
