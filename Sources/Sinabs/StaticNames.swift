// State and parameter names handed to C as borrowed strings must outlive every
// handle: they come from this fixed table of static strings.
private let names: [StaticString] = [
    "v_mem", "i_syn", "b", "spike_threshold",
    "tau_mem", "tau_syn", "tau_adapt", "alpha_mem", "alpha_syn", "alpha_adapt",
    "min_v_mem", "rec_connect.weight", "rec_connect.bias", "weight", "bias",
    // Repeat: its module's names under "module."
    "module.weight", "module.bias", "module.v_mem", "module.i_syn", "module.b", "module.spike_threshold",
    "module.tau_mem", "module.tau_syn", "module.alpha_mem", "module.alpha_syn", "module.min_v_mem",
]

func staticName(_ name: String) -> UnsafePointer<CChar>? {
    for candidate in names where candidate.description == name {
        return UnsafeRawPointer(candidate.utf8Start).assumingMemoryBound(to: CChar.self)
    }
    return UnsafeRawPointer(("?" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
}
