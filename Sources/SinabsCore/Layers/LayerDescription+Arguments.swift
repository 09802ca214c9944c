/// Typed reading of a description's arguments, with the errors that
/// `DescribableLayer.init(description:)` promises (never a trap).
extension LayerDescription {
    func requireKind(_ kinds: [String]) throws {
        guard kinds.contains(kind) else {
            throw SinabsError.invalid("cannot build a \(kind) as \(kinds.joined(separator: "/"))")
        }
    }

    private func value(_ name: String) -> LayerArgument? {
        guard let argument = arguments[name], argument != .none else { return nil }
        return argument
    }

    private func mistyped(_ name: String, _ expected: String) -> SinabsError {
        SinabsError.invalid("\(kind): argument \(name) must be \(expected), got \(String(describing: arguments[name]!))")
    }

    func int(_ name: String, default fallback: Int? = nil) throws -> Int {
        guard let argument = value(name) else {
            guard let fallback else { throw SinabsError.invalid("\(kind): missing argument \(name)") }
            return fallback
        }
        guard case .int(let v) = argument else { throw mistyped(name, "an int") }
        return v
    }

    /// An int or a pair of ints (torch's `_pair`), or `fallback` when absent.
    func pair(_ name: String, default fallback: Pair2d? = nil) throws -> Pair2d {
        guard let argument = value(name) else {
            guard let fallback else { throw SinabsError.invalid("\(kind): missing argument \(name)") }
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
        guard let argument = value(name) else { throw SinabsError.invalid("\(kind): missing argument \(name)") }
        guard case .ints(let v) = argument, v.count == count else { throw mistyped(name, "\(count) ints") }
        return v
    }

    func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let argument = value(name) else { return fallback }
        guard case .bool(let v) = argument else { throw mistyped(name, "a bool") }
        return v
    }

    func float(_ name: String, default fallback: Float) throws -> Float {
        guard let argument = value(name) else { return fallback }
        switch argument {
        case .float(let v): return v
        case .int(let v): return Float(v)
        default: throw mistyped(name, "a number")
        }
    }
}

extension LayerArgument {
    /// A pair as torch prints it back: an int when both sides agree.
    init(_ pair: Pair2d) {
        self = pair.height == pair.width ? .int(pair.height) : .ints(pair.values)
    }
}
