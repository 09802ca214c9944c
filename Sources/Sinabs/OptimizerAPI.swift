import CSinabs
import SinabsCore

// Losses, optimizers and the one-call training step.

func readLoss(_ value: Int32) throws -> Loss {
    guard let loss = Loss(rawValue: value) else { throw invalid("unknown loss \(value)") }
    return loss
}

@c @implementation
public func sinabs_loss_compute(_ out_loss: UnsafeMutablePointer<Float>?, _ out_grad: UnsafeMutablePointer<OpaquePointer?>?,
                                _ output: OpaquePointer?, _ target: OpaquePointer?, _ loss: Int32) -> sinabs_status {
    out_grad?.pointee = nil
    return guarded {
        guard let out_loss else { throw invalid("out_loss is NULL") }
        let (value, gradient) = try readLoss(loss).evaluate(output: try tensor(output, "output"),
                                                              target: try tensor(target, "target"))
        out_loss.pointee = value
        out_grad?.pointee = retainedHandle(gradient)
    }
}

@c @implementation
public func sinabs_optimizer_options_init(_ options: UnsafeMutablePointer<sinabs_optimizer_options>?,
                                          _ kind: Int32) -> sinabs_status {
    guarded {
        guard let options else { throw invalid("options is NULL") }
        guard kind == SINABS_OPTIMIZER_SGD || kind == SINABS_OPTIMIZER_ADAM else {
            throw invalid("unknown optimizer kind \(kind)")
        }
        options.pointee = defaultOptimizerOptions(kind)
    }
}

func defaultOptimizerOptions(_ kind: Int32) -> sinabs_optimizer_options {
    var c = sinabs_optimizer_options()
    c.struct_size = UInt32(MemoryLayout<sinabs_optimizer_options>.size)
    c.kind = kind
    c.lr = 1e-3
    c.momentum = 0
    c.dampening = 0
    c.weight_decay = 0
    c.nesterov = 0
    c.beta1 = 0.9
    c.beta2 = 0.999
    c.eps = 1e-8
    c.max_grad_norm = .nan
    return c
}

/// Reads the first `struct_size` bytes of the caller's options over the defaults.
func readOptimizerOptions(_ pointer: UnsafePointer<sinabs_optimizer_options>?) throws
    -> (optimizer: Optimizer, maxGradientNorm: Float?) {
    guard let pointer else { throw invalid("options is NULL") }
    let size = Int(pointer.pointee.struct_size)
    guard size >= MemoryLayout<sinabs_optimizer_options>.offset(of: \.lr) ?? 8 else {
        throw invalid("options.struct_size \(size) is too small; call sinabs_optimizer_options_init first")
    }
    let kind = pointer.pointee.kind
    guard kind == SINABS_OPTIMIZER_SGD || kind == SINABS_OPTIMIZER_ADAM else { throw invalid("unknown optimizer kind \(kind)") }
    var c = defaultOptimizerOptions(kind)
    withUnsafeMutableBytes(of: &c) { dst in
        dst.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: min(size, dst.count)))
    }
    var maxNorm: Float?
    if !c.max_grad_norm.isNaN {
        guard c.max_grad_norm.isFinite, c.max_grad_norm > 0 else {
            throw invalid("max_grad_norm must be NaN (no clipping) or a finite number > 0, got \(c.max_grad_norm)")
        }
        maxNorm = c.max_grad_norm
    }
    guard c.nesterov == 0 || c.nesterov == 1 else { throw invalid("nesterov must be 0 or 1, got \(c.nesterov)") }
    if kind == SINABS_OPTIMIZER_SGD {
        var o = SGD.Options(learningRate: c.lr)
        o.momentum = c.momentum
        o.dampening = c.dampening
        o.weightDecay = c.weight_decay
        o.nesterov = c.nesterov == 1
        return (try SGD(o), maxNorm)
    }
    var o = Adam.Options(learningRate: c.lr)
    o.beta1 = c.beta1
    o.beta2 = c.beta2
    o.epsilon = c.eps
    o.weightDecay = c.weight_decay
    return (try Adam(o), maxNorm)
}

@c @implementation
public func sinabs_optimizer_create(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ modelHandle: OpaquePointer?,
                                    _ options: UnsafePointer<sinabs_optimizer_options>?) -> sinabs_status {
    guarded(out: out) { out in
        let model = try model(modelHandle)
        let (optimizer, maxNorm) = try readOptimizerOptions(options)
        out.pointee = retainedHandle(OptimizerObject(model: model, optimizer: optimizer, maxGradientNorm: maxNorm))
    }
}

@c @implementation
public func sinabs_optimizer_free(_ handle: OpaquePointer?) {
    releaseHandle(handle, as: OptimizerObject.self, kind: "optimizer")
}

@c @implementation
public func sinabs_optimizer_step(_ handle: OpaquePointer?) -> sinabs_status {
    guarded {
        try withOptimizer(handle) { try $0.optimizer.step($0.model) }
    }
}

@c @implementation
public func sinabs_optimizer_zero_grad(_ handle: OpaquePointer?) -> sinabs_status {
    guarded { try withOptimizer(handle) { $0.model.zeroGrad() } }
}

@c @implementation
public func sinabs_model_train_step(_ out_loss: UnsafeMutablePointer<Float>?, _ modelHandle: OpaquePointer?,
                                    _ optimizerHandle: OpaquePointer?, _ input: OpaquePointer?,
                                    _ target: OpaquePointer?, _ loss: Int32) -> sinabs_status {
    guarded {
        guard let out_loss else { throw invalid("out_loss is NULL") }
        let model = try model(modelHandle)
        guard try optimizer(optimizerHandle).model === model else {
            throw invalid("the optimizer was created for another model")
        }
        let (x, y, lossKind) = (try tensor(input, "input"), try tensor(target, "target"), try readLoss(loss))
        out_loss.pointee = try withOptimizer(optimizerHandle) { object in
            try model.trainStep(input: x, target: y, loss: lossKind, optimizer: object.optimizer,
                                maxGradientNorm: object.maxGradientNorm)
        }
    }
}
