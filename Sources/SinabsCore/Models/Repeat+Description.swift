// Repeat describes itself by its module's description, so a model file can
// hold a per-frame layer inside a (Batch, Time, ...) model. It lives beside
// the registry because rebuilding the module needs it.
extension Repeat: DescribableLayer {
    /// "Repeat".
    public static var kinds: [String] { ["Repeat"] }

    /// {"module": <the module's description>}; saving checks that the module
    /// describes itself.
    public var layerDescription: LayerDescription {
        let inner = (module as? DescribableLayer)?.layerDescription
            ?? LayerDescription(kind: Sequential.kindName(of: module))
        return LayerDescription(kind: "Repeat", arguments: ["module": .layer(inner)])
    }

    /// A Repeat of the layer described by the "module" argument.
    public convenience init(description: LayerDescription) throws {
        try description.requireKind(Self.kinds)
        try description.checkArgumentNames(allowed: ["module"])
        self.init(try LayerRegistry.makeLayer(try description.layer("module")))
    }
}
