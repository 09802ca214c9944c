import CSinabs
import SinabsCore

@c @implementation
public func sinabs_version_number() -> UInt32 {
    UInt32(SINABS_VERSION_MAJOR * 10000 + SINABS_VERSION_MINOR * 100 + SINABS_VERSION_PATCH)
}

private let versionString: StaticString = "0.1.0"

@c @implementation
public func sinabs_version_string() -> UnsafePointer<CChar>? {
    UnsafeRawPointer(versionString.utf8Start).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func sinabs_status_name(_ status: sinabs_status) -> UnsafePointer<CChar>? {
    let name: StaticString
    switch status {
    case SINABS_OK: name = "SINABS_OK"
    case SINABS_ERR_INVALID_ARGUMENT: name = "SINABS_ERR_INVALID_ARGUMENT"
    case SINABS_ERR_SHAPE: name = "SINABS_ERR_SHAPE"
    case SINABS_ERR_OUT_OF_MEMORY: name = "SINABS_ERR_OUT_OF_MEMORY"
    case SINABS_ERR_STATE: name = "SINABS_ERR_STATE"
    case SINABS_ERR_NOT_FOUND: name = "SINABS_ERR_NOT_FOUND"
    case SINABS_ERR_INTERNAL: name = "SINABS_ERR_INTERNAL"
    default: name = "SINABS_ERR_UNKNOWN"
    }
    return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func sinabs_set_num_threads(_ n: Int32) -> sinabs_status {
    guarded {
        guard (1...256).contains(n) else { throw invalid("thread count must be in 1...256, got \(n)") }
        Threads.count = Int(n)
    }
}

@c @implementation
public func sinabs_get_num_threads() -> Int32 {
    Int32(Threads.count)
}
