import CSinabs
import SinabsCore

@c @implementation
public func sinabs_manual_seed(_ seed: UInt64) {
    SinabsCore.manualSeed(seed)
}
