import CSinabsKernels

// The recurrent form (sinabs' *Recurrent layers): at step t the neurons see
// input_t + rec_connect(spikes_{t-1}), with rec_connect a bias-free Linear
// over the N neurons of a sample (N = product of the trailing dimensions;
// sinabs applies the module to the last dimension, the same for 1-D features).
extension NeuronLayer {
    /// Scratch of the recurrent form: the step input and the feedback, (B, N).
    func recurrentBuffers(batch: Int, neurons: Int) throws -> (combined: Tensor, feedback: Tensor)? {
        guard case .recurrent = options.form else { return nil }
        return (try Tensor.uninitialized([batch, neurons]), try Tensor(zeros: [batch, neurons]))
    }

    /// One kernel call per step: input_t + W s_{t-1} -> neurons -> s_t.
    /// Returns the sum of all spikes.
    func runRecurrent(_ params: UnsafePointer<snk_neuron_params>, _ io: inout snk_neuron_io,
                      input: Tensor, output: Tensor, time: Int,
                      combined: Tensor, feedback: Tensor) -> Double {
        let batch = Int(io.batch), neurons = Int(io.neurons)
        guard let x = input.baseAddress, let y = output.baseAddress,
              let step = combined.baseAddress, let rec = feedback.baseAddress,
              let weight = recurrentWeight else { return 0 }
        io.time = 1
        io.input_stride = Int64(neurons)
        io.output_stride = Int64(time * neurons)
        var spikes = 0.0
        for t in 0..<time {
            for b in 0..<batch {
                let row = x + (b * time + t) * neurons
                let combinedRow = step + b * neurons, feedbackRow = rec + b * neurons
                for n in 0..<neurons { combinedRow[n] = row[n] + feedbackRow[n] }
            }
            io.input = UnsafePointer(step)
            io.output = y + t * neurons
            setRecordingPointers(&io, offset: t * neurons)
            spikes += snk_neuron_forward(params, &io)
            // feedback (B, N) = spikes_t (B, N) x W^T, gathered from the strided output.
            for b in 0..<batch {
                (step + b * neurons).update(from: y + (b * time + t) * neurons, count: neurons)
            }
            Gemm.multiplyTransposedB(m: batch, n: neurons, k: neurons, a: step, b: weight, c: rec, beta: 0)
        }
        return spikes
    }

    private var recurrentWeight: UnsafeMutablePointer<Float>? {
        parameters.first(where: { $0.name == "rec_connect.weight" })?.tensor.baseAddress
    }
}
