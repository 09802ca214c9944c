/// torch's default init of Linear/Conv weights and biases: uniform in
/// +-1/sqrt(fan_in). Seeded from `seed`, or from the system generator.
/// (A process-wide seedable helper may replace this.)
func initialiseUniform(fanIn: Int, seed: UInt64?, _ tensors: [Tensor]) {
    var generator = SplitMix64(seed: seed ?? UInt64.random(in: .min ... .max))
    let bound = 1 / Float(fanIn).squareRoot()
    for tensor in tensors { tensor.fillUniform(-bound...bound, using: &generator) }
}
