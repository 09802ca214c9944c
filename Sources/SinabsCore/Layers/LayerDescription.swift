/// A layer's kind and constructor arguments: what a model file stores to
/// rebuild the layer (its parameters and states travel separately, by name).
///
/// Kinds are sinabs' / torch's class names ("Linear", "Conv2d", "IAFSqueeze",
/// ...); argument names are their constructor arguments ("in_features",
/// "tau_mem", ...), so a description reads like the Python that built it.
public struct LayerDescription: Equatable, Sendable {
    /// The class name ("Conv2d", "IAFSqueeze").
    public var kind: String
    /// Constructor arguments by name.
    public var arguments: [String: LayerArgument]

    /// A description of `kind` with `arguments`.
    public init(kind: String, arguments: [String: LayerArgument] = [:]) {
        self.kind = kind
        self.arguments = arguments
    }
}

/// One constructor argument of a `LayerDescription`.
public enum LayerArgument: Equatable, Sendable {
    /// An integer.
    case int(Int)
    /// A number.
    case float(Float)
    /// True or false.
    case bool(Bool)
    /// A string (also an activation's name).
    case string(String)
    /// Integers (a kernel size (3, 5)).
    case ints([Int])
    /// Numbers.
    case floats([Float])
    /// An argument given as nothing (Python's None), e.g. `tau_syn`.
    case none
    /// A layer given as an argument (Repeat's `module`).
    indirect case layer(LayerDescription)
}

/// A layer that can say how to rebuild itself, and be rebuilt from that.
/// Model files and cross-language loading go through this.
public protocol DescribableLayer: Layer {
    /// The kinds this type builds (one type may serve several, e.g. IAF and IAFSqueeze).
    static var kinds: [String] { get }
    /// The kind and constructor arguments that rebuild this layer.
    var layerDescription: LayerDescription { get }
    /// Throws `.invalidArgument` for a kind it does not build or a missing,
    /// mistyped or out-of-range argument; never traps.
    init(description: LayerDescription) throws
}
