import CSinabsKernels

// The recurrent form (sinabs' *Recurrent layers): at step t the neurons see
// input_t + rec_connect(spikes_{t-1}) (nothing at step 0), with rec_connect a
// Linear over the N neurons of a sample (N = product of the trailing
// dimensions; sinabs applies the module to the last dimension, the same for
// 1-D features). The layer starts bias-free; setting "rec_connect.bias" (N)
// adds a bias, like torch.nn.Linear's default.
extension NeuronLayer {
    /// Scratch of the recurrent form: the step input and the feedback, (B, N).
    func recurrentBuffers(batch: Int, neurons: Int) throws -> (combined: Tensor, feedback: Tensor)? {
        guard case .recurrent = options.form else { return nil }
        try Self.checkBLASSizes(batch: batch, rowLength: neurons)
        return (try Tensor.uninitialized([batch, neurons]), try Tensor(zeros: [batch, neurons]))
    }

    /// BLAS takes 32-bit sizes: the recurrent GEMMs need the batch and the
    /// row length (neurons in forward, time x neurons per sample in backward)
    /// to fit, or the Int32 conversion would trap.
    static func checkBLASSizes(batch: Int, rowLength: Int) throws {
        guard batch <= Int(Int32.max), rowLength <= Int(Int32.max) else {
            throw SinabsError.shape("recurrent layers take at most \(Int32.max) samples and \(Int32.max) "
                                    + "elements per BLAS row (batch \(batch), row \(rowLength))")
        }
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
        let bias = recurrentBias
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
            if let bias {
                for b in 0..<batch { (rec + b * neurons).update(from: bias, count: neurons) }
            }
            Gemm.multiplyTransposedB(m: batch, n: neurons, k: neurons, a: step, b: weight, c: rec,
                                     beta: bias == nil ? 0 : 1)
        }
        return spikes
    }

    private var recurrentWeight: UnsafeMutablePointer<Float>? {
        parameters.first(where: { $0.name == "rec_connect.weight" })?.tensor.baseAddress
    }

    private var recurrentBias: UnsafeMutablePointer<Float>? {
        parameters.first(where: { $0.name == "rec_connect.bias" })?.tensor.baseAddress
    }

    /// Adds "rec_connect.bias" with `value` (shape (N), finite) to a recurrent
    /// layer that has none yet; returns false for other layers and names.
    func addRecurrentBias(named name: String, _ value: Tensor) throws -> Bool {
        guard name == "rec_connect.bias", case .recurrent(let n) = options.form,
              !parameterNames.contains(name) else { return false }
        guard value.shape == [n] else {
            throw SinabsError.shape("rec_connect.bias must have shape [\(n)], got \(value.shape)")
        }
        guard value.scalars.allSatisfy({ $0.isFinite }) else {
            throw SinabsError.invalid("rec_connect.bias must be finite")
        }
        parameters.append((name, try value.copy()))
        return true
    }
}
