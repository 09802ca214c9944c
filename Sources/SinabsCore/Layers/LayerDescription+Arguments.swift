// Typed reading of a LayerDescription's arguments for `init(description:)`,
// with the errors that `DescribableLayer.init(description:)` promises (never a
// trap): a missing, mistyped, non-finite or unknown argument is an
// `.invalidArgument` error naming the kind and the argument. `.none` (Python's
// None) counts as absent.
extension LayerDescription {
    func failure(_ message: String) -> SinabsError { SinabsError.invalid("\(kind): \(message)") }

    func requireKind(_ kinds: [String]) throws {
        guard kinds.contains(kind) else {
            throw SinabsError.invalid("cannot build a \(kind) as \(kinds.joined(separator: "/"))")
        }
    }

    /// Throws for an argument this kind does not take (likely a typo).
    public func checkArgumentNames(allowed: Set<String>) throws {
        for name in arguments.keys.sorted() where !allowed.contains(name) {
            throw failure("unknown argument '\(name)'")
        }
    }

    fileprivate func value(_ name: String) -> LayerArgument? {
        guard let argument = arguments[name], argument != .none else { return nil }
        return argument
    }

    fileprivate func mistyped(_ name: String, _ expected: String) -> SinabsError {
        failure("argument \(name) must be \(expected), got \(arguments[name].map { String(describing: $0) } ?? "nothing")")
    }

    fileprivate func missing(_ name: String) -> SinabsError { failure("missing argument \(name)") }

    /// An int argument, or `fallback` when absent.
    public func int(_ name: String, default fallback: Int? = nil) throws -> Int {
        guard let argument = value(name) else {
            guard let fallback else { throw missing(name) }
            return fallback
        }
        guard case .int(let v) = argument else { throw mistyped(name, "an int") }
        return v
    }

    /// nil when absent or None.
    public func optionalInt(_ name: String) throws -> Int? {
        value(name) == nil ? nil : try int(name)
    }

    /// An int or a pair of ints (torch's `_pair`), or `fallback` when absent.
    func pair(_ name: String, default fallback: Pair2d? = nil) throws -> Pair2d {
        guard let argument = value(name) else {
            guard let fallback else { throw missing(name) }
            return fallback
        }
        switch argument {
        case .int(let v): return Pair2d(v)
        case .ints(let v) where v.count == 2: return Pair2d(v[0], v[1])
        default: throw mistyped(name, "an int or two ints")
        }
    }

    func optionalPair(_ name: String) throws -> Pair2d? {
        value(name) == nil ? nil : try pair(name)
    }

    func ints(_ name: String, count: Int) throws -> [Int] {
        guard let argument = value(name) else { throw missing(name) }
        guard case .ints(let v) = argument, v.count == count else { throw mistyped(name, "\(count) ints") }
        return v
    }

    /// A bool argument, or `fallback` when absent.
    public func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let argument = value(name) else { return fallback }
        guard case .bool(let v) = argument else { throw mistyped(name, "a bool") }
        return v
    }

    /// A number (an int is accepted: Python's 10 for 10.0), or `fallback`
    /// when absent. Must be finite: hyper-parameters are never NaN or infinite.
    public func float(_ name: String, default fallback: Float? = nil) throws -> Float {
        guard let value = try optionalFloat(name) ?? fallback else { throw missing(name) }
        return value
    }

    /// nil when absent or None; finite otherwise.
    public func optionalFloat(_ name: String) throws -> Float? {
        guard let argument = value(name) else { return nil }
        let number: Float
        switch argument {
        case .float(let v): number = v
        case .int(let v): number = Float(v)
        default: throw mistyped(name, "a number")
        }
        guard number.isFinite else { throw failure("argument \(name) must be finite, got \(number)") }
        return number
    }

    /// A string argument, or `fallback` when absent.
    public func string(_ name: String, default fallback: String? = nil) throws -> String {
        guard let argument = value(name) else {
            guard let fallback else { throw missing(name) }
            return fallback
        }
        guard case .string(let v) = argument else { throw mistyped(name, "a string") }
        return v
    }
}

extension LayerDescription {
    /// A layer argument (Repeat's `module`).
    public func layer(_ name: String) throws -> LayerDescription {
        guard let argument = value(name) else { throw missing(name) }
        guard case .layer(let description) = argument else { throw mistyped(name, "a layer") }
        return description
    }
}

extension LayerArgument {
    /// A pair as torch prints it back: an int when both sides agree.
    init(_ pair: Pair2d) {
        self = pair.height == pair.width ? .int(pair.height) : .ints(pair.values)
    }
}
