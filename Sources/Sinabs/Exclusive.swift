import SinabsCore
import Synchronization

// One call at a time per layer and per model, enforced at the C boundary.
// Every call on a layer or model marks the object busy for its duration; a
// model's forward and reset mark the model and every one of its layers, so a
// layer shared by two models, or by a model and a direct call, is never run
// by two threads at once. A call that finds a mark taken fails at once with
// SINABS_ERR_STATE and changes nothing: no waiting, hence no deadlock.
//
// The marks live in one set keyed by object identity, not in the objects, so
// that every layer kind is covered without cooperation from the core. An
// object stays alive while it is marked (the call holds a reference), so its
// identity cannot be reused by another object meanwhile.
enum Exclusive {
    private static let busy = Mutex<Set<ObjectIdentifier>>([])

    /// Runs `body` with `object` marked busy, or throws STATE without
    /// running it when the mark is taken already.
    static func run<R>(_ object: AnyObject, _ what: String, _ body: () throws -> R) throws -> R {
        let id = ObjectIdentifier(object)
        guard busy.withLock({ $0.insert(id).inserted }) else { throw busyError(what) }
        defer { busy.withLock { _ = $0.remove(id) } }
        return try body()
    }

    /// As `run(_:_:_:)` for several objects (duplicates allowed), all or none.
    static func run<R>(_ objects: [AnyObject], _ what: String, _ body: () throws -> R) throws -> R {
        let ids = Set(objects.map(ObjectIdentifier.init))
        let taken = busy.withLock { marked -> Bool in
            guard marked.isDisjoint(with: ids) else { return false }
            marked.formUnion(ids)
            return true
        }
        guard taken else { throw busyError(what) }
        defer { busy.withLock { marked in marked.subtract(ids) } }
        return try body()
    }

    private static func busyError(_ what: String) -> SinabsError {
        SinabsError(.state, "\(what) is busy: another call is running on it (from another thread, "
                            + "directly or through a model); a layer or model runs one call at a time")
    }
}

/// What a call on `layer` runs: the layer and the layers inside it (a
/// Repeat runs its module, which may also be used on its own).
func runsWith(_ layer: LayerObject) -> [AnyObject] {
    guard let repeated = layer as? Repeat else { return [layer] }
    return [layer] + runsWith(repeated.module)
}

/// Runs `body` on `layer` (and the layers inside it), marked busy.
func exclusively<L: LayerObject, R>(_ layer: L, _ body: (L) throws -> R) throws -> R {
    try Exclusive.run(runsWith(layer), "layer") { try body(layer) }
}

/// Runs `body` on the layer behind `handle`, marked busy.
func withLayer<R>(_ handle: OpaquePointer?, _ body: (LayerObject) throws -> R) throws -> R {
    try exclusively(try layer(handle), body)
}

/// Runs `body` on the neuron layer behind `handle`, marked busy.
func withNeuronLayer<R>(_ handle: OpaquePointer?, _ body: (NeuronLayer) throws -> R) throws -> R {
    try exclusively(try neuronLayer(handle), body)
}

/// Runs `body` on the model behind `handle`, marked busy; with `andLayers`
/// its layers are marked too (for calls that run them).
func withModel<R>(_ handle: OpaquePointer?, andLayers: Bool = false,
                  _ body: (ModelObject) throws -> R) throws -> R {
    let model = try model(handle)
    return try Exclusive.run(model, "model") {
        guard andLayers else { return try body(model) }
        return try Exclusive.run(model.layers.flatMap(runsWith), "a layer of this model") { try body(model) }
    }
}

/// Runs `body` on the optimizer behind `handle`, marked busy with its model
/// and the model's layers (a step writes their parameters).
func withOptimizer<R>(_ handle: OpaquePointer?, _ body: (OptimizerObject) throws -> R) throws -> R {
    let object = try optimizer(handle)
    return try Exclusive.run(object, "optimizer") {
        try Exclusive.run(object.model, "model") {
            try Exclusive.run(object.model.layers.flatMap(runsWith), "a layer of this model") { try body(object) }
        }
    }
}
