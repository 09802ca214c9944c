// A model in one safetensors file: parameters (and optionally states) as
// tensors named "<layer index>.<name>", the architecture as a JSON string in
// the metadata ("sinabs.architecture"): {"format": "libsinabs.Sequential",
// "version": 1, "layers": [{"kind": "Linear", "arguments": {...}}, ...]}.
extension Sequential {
    /// The metadata key that holds the architecture JSON.
    public static let architectureKey = "sinabs.architecture"
    static let formatName = "libsinabs.Sequential"

    /// Every layer's description; `.invalidArgument` naming the first layer
    /// that cannot describe itself.
    public func layerDescriptions() throws -> [LayerDescription] {
        try layers.enumerated().map { index, layer in
            guard let describable = layer as? DescribableLayer else {
                throw SinabsError.invalid("layer \(index) (\(Self.kindName(of: layer))) cannot be saved: it does not describe itself")
            }
            if let repeated = layer as? Repeat, !(repeated.module is DescribableLayer) {
                throw SinabsError.invalid("layer \(index) (Repeat) cannot be saved: its module (\(Self.kindName(of: repeated.module))) does not describe itself")
            }
            return describable.layerDescription
        }
    }

    /// The file's bytes: parameters always, states (once they exist) with
    /// `includeStates`.
    public func fileBytes(includeStates: Bool = false) throws -> [UInt8] {
        let architecture = try Self.architectureJSON(try layerDescriptions())
        var tensors = namedParameters().map { (name: $0.name, tensor: $0.value) }
        if includeStates {
            for (index, layer) in layers.enumerated() {
                for name in layer.stateNames {
                    guard let state = try? layer.state(named: name), state.shape != [0] else { continue }
                    tensors.append(("\(index).\(name)", state))
                }
            }
        }
        return try SafeTensors(metadata: [("format", "pt"), (Self.architectureKey, architecture.text)], tensors: tensors).encoded()
    }

    /// Writes `fileBytes(includeStates:)` to `path` atomically (a temporary
    /// file renamed over it).
    public func save(to path: String, includeStates: Bool = false) throws {
        try FileIO.write(try fileBytes(includeStates: includeStates), to: path)
    }

    /// Replaces this model's layers by the file's. On any error (unreadable,
    /// truncated or foreign file, bad JSON, unknown kind, bad arguments,
    /// missing or extra tensors, wrong shapes, invalid values) the model is
    /// left exactly as it was.
    public func load(from path: String) throws {
        try load(bytes: try FileIO.read(path))
    }

    /// Replaces the layers by those of a model file's bytes; on error the
    /// model is unchanged.
    public func load(bytes: [UInt8]) throws {
        replaceLayers(try Self.layers(fromFile: bytes))
    }

    /// A model read from the file at `path`.
    public convenience init(contentsOf path: String) throws {
        self.init()
        try load(from: path)
    }

    /// New layers built from a file's architecture, with its tensors set.
    static func layers(fromFile bytes: [UInt8]) throws -> [Layer] {
        let file = try SafeTensors.decode(bytes)
        guard let text = file.metadata.first(where: { $0.0 == architectureKey })?.1 else {
            throw SinabsError.invalid("not a libsinabs model file: its metadata has no '\(architectureKey)'")
        }
        let layers = try descriptions(fromArchitecture: try JSON.parse(text)).enumerated().map { index, description in
            do {
                return try LayerRegistry.makeLayer(description)
            } catch let error as SinabsError {
                throw SinabsError(error.code, "layer \(index): \(error.message)")
            }
        }
        let model = Sequential(layers)
        var expected = Set(model.parameterNames)
        for (name, tensor) in file.tensors {
            guard let dot = name.firstIndex(of: "."), let index = Int(name[..<dot]), layers.indices.contains(index) else {
                throw SinabsError.invalid("tensor '\(name)' does not belong to any layer of the model")
            }
            let layer = layers[index], local = String(name[name.index(after: dot)...])
            do {
                if expected.remove(name) != nil {
                    try layer.setParameter(named: local, to: tensor)
                } else if layer.stateNames.contains(local) {
                    try layer.setState(named: local, to: tensor)
                } else {
                    throw SinabsError.invalid("layer \(index) (\(kindName(of: layer))) has no such parameter or state")
                }
            } catch let error as SinabsError {
                throw SinabsError(error.code, "tensor '\(name)': \(error.message)")
            }
        }
        guard expected.isEmpty else {
            throw SinabsError.invalid("the file lacks parameters \(expected.sorted())")
        }
        return layers
    }

    static func architectureJSON(_ descriptions: [LayerDescription]) throws -> JSON {
        let layers = try descriptions.map { try $0.json() }
        return .object([("format", .string(formatName)), ("version", .int(1)), ("layers", .array(layers))])
    }

    static func descriptions(fromArchitecture json: JSON) throws -> [LayerDescription] {
        guard case .string(formatName)? = json["format"], case .array(let layers)? = json["layers"] else {
            throw SinabsError.invalid("the architecture is not a \(formatName) description")
        }
        guard case .number("1")? = json["version"] else {
            throw SinabsError.invalid("unsupported architecture version \(json["version"]?.text ?? "none") (this library reads 1)")
        }
        return try layers.enumerated().map { index, layer in
            do {
                return try LayerDescription(json: layer)
            } catch let error as SinabsError {
                throw SinabsError(error.code, "layer \(index) of the architecture: \(error.message)")
            }
        }
    }
}

extension LayerDescription {
    /// {"kind": ..., "arguments": {...}}, arguments sorted by name.
    func json() throws -> JSON {
        let members = try arguments.keys.sorted().map { key -> (String, JSON) in
            guard let value = arguments[key], let json = try value.json() else {
                throw SinabsError.invalid("\(kind): argument '\(key)' is not finite; cannot save it")
            }
            return (key, json)
        }
        return .object([("kind", .string(kind)), ("arguments", .object(members))])
    }

    /// The inverse of `json()`; `.invalidArgument` naming what is missing or unsupported.
    init(json: JSON) throws {
        guard case .string(let kind)? = json["kind"], case .object(let members)? = json["arguments"] else {
            throw SinabsError.invalid("a layer lacks kind or arguments")
        }
        var arguments: [String: LayerArgument] = [:]
        for (key, value) in members {
            guard let argument = try LayerArgument(json: value) else {
                throw SinabsError.invalid("\(kind): argument '\(key)' has an unsupported value \(value.text)")
            }
            arguments[key] = argument
        }
        self.init(kind: kind, arguments: arguments)
    }
}

extension LayerArgument {
    /// nil for non-finite floats.
    func json() throws -> JSON? {
        switch self {
        case .int(let v): return .int(v)
        case .float(let v): return .float(v)
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(v)
        case .ints(let v): return .array(v.map(JSON.int))
        case .floats(let v):
            let items = v.compactMap(JSON.float)
            return items.count == v.count ? .array(items) : nil
        case .none: return .null
        case .layer(let description): return try description.json()
        }
    }

    /// Numbers with '.' or an exponent are floats, others ints; arrays of
    /// ints are `.ints`, of numbers `.floats`; an object is a layer
    /// (throws if that layer is malformed). nil for anything else.
    init?(json: JSON) throws {
        switch json {
        case .null: self = .none
        case .bool(let v): self = .bool(v)
        case .string(let v): self = .string(v)
        case .number(let text):
            guard let number = Self.number(text) else { return nil }
            self = number
        case .array(let items):
            let numbers = items.compactMap { item -> LayerArgument? in
                guard case .number(let text) = item else { return nil }
                return Self.number(text)
            }
            guard numbers.count == items.count else { return nil }
            let ints = numbers.compactMap { number -> Int? in
                if case .int(let v) = number { return v }
                return nil
            }
            if ints.count == numbers.count {
                self = .ints(ints)
            } else {
                self = .floats(numbers.map { number -> Float in
                    switch number {
                    case .int(let v): return Float(v)
                    case .float(let v): return v
                    default: return .nan
                    }
                })
            }
        case .object: self = .layer(try LayerDescription(json: json))
        }
    }

    private static func number(_ text: String) -> LayerArgument? {
        if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let v = Int(text) { return .int(v) }
        guard let v = Float(text), v.isFinite else { return nil }
        return .float(v)
    }
}
