import CSinabs
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

/// Releases a handle of kind `T`. A handle of another kind (a layer passed to
/// sinabs_tensor_free) is left alone and the thread's message says so: freeing
/// it would leave its owner with a dangling handle.
func releaseHandle<T>(_ handle: OpaquePointer?, as type: T.Type, kind: String) {
    guard let handle else { return }
    let unmanaged = Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(handle))
    guard unmanaged.takeUnretainedValue() is T else {
        _ = fail(SINABS_ERR_INVALID_ARGUMENT, "sinabs_\(kind)_free: not a sinabs_\(kind) handle; nothing was freed")
        return
    }
    unmanaged.release()
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
