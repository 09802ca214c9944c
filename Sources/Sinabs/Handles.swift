import SinabsCore

// Opaque handles are retained Swift objects. Every handle is checked for its
// kind (a tensor passed where a layer is expected is an error, not a crash).

/// The object behind a `sinabs_layer`: any core layer.
typealias LayerObject = Layer

/// The object behind a `sinabs_model`.
typealias ModelObject = Sequential

func retainedHandle(_ object: AnyObject) -> OpaquePointer {
    OpaquePointer(Unmanaged.passRetained(object).toOpaque())
}

func releaseHandle(_ handle: OpaquePointer?) {
    guard let handle else { return }
    Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(handle)).release()
}

private func object<T>(_ handle: OpaquePointer?, as type: T.Type, kind: String, _ what: String) throws -> T {
    guard let handle else { throw invalid("\(what) is NULL") }
    let any = Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
    guard let typed = any as? T else { throw invalid("\(what) is not a sinabs_\(kind) handle") }
    return typed
}

func tensor(_ handle: OpaquePointer?, _ what: String = "tensor") throws -> Tensor {
    try object(handle, as: Tensor.self, kind: "tensor", what)
}

func layer(_ handle: OpaquePointer?) throws -> LayerObject {
    try object(handle, as: LayerObject.self, kind: "layer", "layer")
}

func neuronLayer(_ handle: OpaquePointer?) throws -> NeuronLayer {
    let any = try layer(handle)
    guard let neurons = any as? NeuronLayer else { throw invalid("layer is not a neuron layer") }
    return neurons
}

func model(_ handle: OpaquePointer?) throws -> ModelObject {
    try object(handle, as: ModelObject.self, kind: "model", "model")
}

/// The object behind a `sinabs_optimizer`: an optimizer bound to its model.
final class OptimizerObject {
    let model: Sequential
    let optimizer: Optimizer
    let maxGradientNorm: Float?

    init(model: Sequential, optimizer: Optimizer, maxGradientNorm: Float?) {
        self.model = model
        self.optimizer = optimizer
        self.maxGradientNorm = maxGradientNorm
    }
}

func optimizer(_ handle: OpaquePointer?) throws -> OptimizerObject {
    try object(handle, as: OptimizerObject.self, kind: "optimizer", "optimizer")
}
