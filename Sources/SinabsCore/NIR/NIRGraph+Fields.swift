// Typed, checked access to a NIR node's fields: every error names the node.
extension NIRGraph.Node {
    func error(_ message: String, _ code: SinabsError.Code = .invalidArgument) -> SinabsError {
        SinabsError(code, "NIR node '\(name)' (\(type)): \(message)")
    }

    func value(_ field: String) throws -> HDF5Value {
        guard let found = fields.first(where: { $0.name == field })?.value else { throw error("lacks the field '\(field)'") }
        return found
    }

    func has(_ field: String) -> Bool { fields.contains { $0.name == field } }

    /// A float array, every element finite.
    func floats(_ field: String) throws -> (shape: [Int], values: [Float]) {
        guard case .numbers(let shape, let values, _) = try value(field) else { throw error("'\(field)' is not numeric") }
        let floats = values.map { Float($0) }
        guard floats.allSatisfy(\.isFinite) else { throw error("'\(field)' has NaN or infinite values") }
        return (shape, floats)
    }

    /// Integers (a scalar or a vector), each within Int32.
    func ints(_ field: String) throws -> [Int] {
        guard case .numbers(let shape, let values, _) = try value(field), shape.count <= 1 else {
            throw error("'\(field)' is not an integer or a list of integers")
        }
        guard values.allSatisfy({ $0 == $0.rounded() && abs($0) <= Double(Int32.max) }) else {
            throw error("'\(field)' holds values that are not integers in range")
        }
        return values.map { Int($0) }
    }

    func int(_ field: String) throws -> Int {
        let values = try ints(field)
        guard values.count == 1 else { throw error("'\(field)' must be one integer, got \(values.count)") }
        return values[0]
    }

    /// A (height, width) pair from one integer or two.
    func pair(_ field: String) throws -> Pair2d {
        let values = try ints(field)
        switch values.count {
        case 1: return Pair2d(values[0])
        case 2: return Pair2d(values[0], values[1])
        default: throw error("'\(field)' must be one or two integers, got \(values.count)")
        }
    }

    /// A scalar string field, or nil when the field holds numbers.
    func text(_ field: String) throws -> String? {
        if case .strings([], let values) = try value(field) { return values.first }
        return nil
    }
}
