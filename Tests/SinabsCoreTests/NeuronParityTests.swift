import XCTest
@testable import SinabsCore

/// Every `neuron_layer` reference case of the real sinabs 3.1.3, run through
/// our NeuronLayer: outputs exact (except spikes whose membrane is within 1e-5
/// of a threshold, which may flip and then change the rest of that sample),
/// states, recordings and firing rate to 1e-4 relative / 1e-5 absolute, and
/// the second call with the state carried over. The three deliberate
/// differences (see NeuronLayer) are checked against the independent
/// ScalarNeuronModel, and sinabs' numbers are shown to differ exactly there.
final class NeuronParityTests: XCTestCase {
    func testEveryNeuronLayerCaseMatchesSinabs() throws {
        let cases = try ReferenceCase.all(kind: "neuron_layer")
        XCTAssertGreaterThan(cases.count, 0, "no neuron_layer cases in \(ReferenceCase.directory.path)")
        var passed = 0
        for reference in cases {
            var report = ParityReport(name: reference.name)
            do {
                try check(reference, &report)
            } catch {
                report.fail("threw \(error)")
            }
            if report.failures.isEmpty { passed += 1 }
            print(report.line)
            for failure in report.failures { XCTFail("\(reference.name): \(failure)") }
        }
        print("neuron_layer parity: \(passed)/\(cases.count) cases passed")
        XCTAssertEqual(passed, cases.count)
    }

    private func check(_ reference: ReferenceCase, _ report: inout ParityReport) throws {
        let options = try reference.neuronOptions()
        let layer = try reference.neuronLayer()
        let input = try reference.tensor("input")
        let (batch, time, trailing) = try layer.layout(of: input.shape)
        let neurons = trailing.reduce(1, *)
        var model = ScalarNeuronModel(options)
        if let weight = reference["parameters", "rec_connect.weight"] {
            model.weight = try ReferenceCase.tensor(weight).scalars
        }
        let shape = Layout(batch: batch, time: time, neurons: neurons)

        let output = try layer.forward(input)
        let ours = model.run(input.scalars, batch: batch, time: time, neurons: neurons)
        let expected = try reference.tensor("output")
        XCTAssertEqual(output.shape, expected.shape, "\(reference.name): output shape")
        assertEqual(output.scalars, ours.output, "output vs ScalarNeuronModel", &report, shape: shape)

        if case .membrane(let value) = options.reset, value != 0 {
            try checkMembraneResetDifference(reference, model, ours, layer, output, shape, value, &report)
            return
        }
        let flips = report.compareSpikes(output.scalars, expected.scalars, model: ours, options: options, shape)

        let stateAfter = try XCTUnwrap(reference["state_after"] as? [String: Any])
        for name in stateAfter.keys.sorted() {
            let want = try reference.tensor("state_after", name).scalars
            let have = try layer.state(named: name).scalars
            if options.adaptive && name == "i_syn" {
                // sinabs' ALIF never writes its i_syn buffer back: it stays 0.
                report.expect(want.allSatisfy { $0 == 0 }, "sinabs' ALIF i_syn buffer is not all zeros")
                report.close(have, ours.states[name] ?? [], "state i_syn (carried, unlike sinabs)",
                             samples: shape.batch, skipping: [])
                report.differences.append("i_syn carried (sinabs: zeros)")
                continue
            }
            report.close(have, want, "state \(name)", samples: shape.batch, skipping: flips)
        }
        try compareRecordings(reference, layer, output, options, shape, flips, &report)

        if flips.isEmpty, let rate = reference["firing_rate"] as? Double {
            report.expect(abs(Double(layer.firingRate) - rate) <= 1e-5 + 1e-4 * abs(rate),
                          "firing_rate \(layer.firingRate) vs \(rate)")
        }
        if reference["second_call"] != nil {
            var initial: [String: [Float]] = [:]
            for name in layer.stateNames { initial[name] = try layer.state(named: name).scalars }
            let input2 = try reference.tensor("second_call", "input")
            let output2 = try layer.forward(input2)
            let ours2 = model.run(input2.scalars, batch: batch, time: time, neurons: neurons, initial: initial)
            let flips2 = report.compareSpikes(output2.scalars, try reference.tensor("second_call", "output").scalars,
                                              model: ours2, options: options, shape)
            for name in layer.stateNames {
                report.close(try layer.state(named: name).scalars,
                             try reference.tensor("second_call", "state_after", name).scalars,
                             "second call state \(name)", samples: shape.batch, skipping: flips2)
            }
            report.checked.append("second_call")
        }
    }

    /// Recordings (B, T, ...). For ALIF and recurrent forms sinabs keeps the
    /// state dict of each step and mutates it at the next step, so its entry t
    /// (t < T-1) of v_mem holds the membrane of step t+1 before the spike, and
    /// i_syn that of step t+1; b and spike_threshold are intact. We record each
    /// step's own states; the test checks that this is the only difference.
    private func compareRecordings(_ reference: ReferenceCase, _ layer: NeuronLayer, _ output: Tensor,
                                   _ options: NeuronOptions, _ shape: Layout, _ flips: Set<Int>,
                                   _ report: inout ParityReport) throws {
        guard let recorded = reference["recordings"] as? [String: Any], !recorded.isEmpty else { return }
        var aliased = options.adaptive
        if case .recurrent = options.form { aliased = true }
        for name in recorded.keys.sorted() {
            let want = try reference.tensor("recordings", name)
            let have = try layer.recording(named: name)
            report.expect(have.shape == want.shape, "recording \(name) shape \(have.shape) vs \(want.shape)")
            guard aliased, name == "v_mem" || name == "i_syn" else {
                report.close(have.scalars, want.scalars, "recording \(name)", samples: shape.batch, skipping: flips)
                continue
            }
            // Last step: identical. Earlier steps: sinabs shows step t+1's value.
            let (w, h, y) = (want.scalars, have.scalars, output.scalars)
            let thresholds = options.adaptive ? try layer.recording(named: "spike_threshold").scalars : []
            var lastStep: [Float] = [], sinabsView: [Float] = [], wantEarlier: [Float] = []
            for b in 0..<shape.batch {
                for t in 0..<shape.time {
                    for n in 0..<shape.neurons {
                        let at = (b * shape.time + t) * shape.neurons + n
                        if t == shape.time - 1 {
                            lastStep.append(h[at])
                            continue
                        }
                        let next = at + shape.neurons
                        var value = h[next]
                        if name == "v_mem" {  // undo the subtract reset of step t+1
                            let threshold = options.adaptive ? thresholds[at] : options.spikeThreshold
                            value = h[next] + y[next] * threshold
                        }
                        sinabsView.append(value)
                        wantEarlier.append(w[at])
                    }
                }
            }
            let lastWant = (0..<shape.batch).flatMap { b in
                (0..<shape.neurons).map { w[(b * shape.time + shape.time - 1) * shape.neurons + $0] }
            }
            report.close(lastStep, lastWant, "recording \(name), last step", samples: shape.batch, skipping: flips)
            let subtractReset = options.reset == .subtract(value: nil) && options.minVMem == nil
            if name == "i_syn" || subtractReset {
                report.close(sinabsView, wantEarlier, "recording \(name), sinabs' aliased steps",
                             samples: shape.batch, skipping: flips)
            }
            report.differences.append("recording \(name) per step (sinabs: aliased)")
        }
    }

    /// MembraneReset(reset_value != 0): we reset only spiking neurons. Ours
    /// must equal the scalar model with that rule; sinabs' numbers must equal
    /// the scalar model with sinabs' rule; and at step 0 the two differ by
    /// exactly reset_value where no spike occurred and nowhere else.
    private func checkMembraneResetDifference(_ reference: ReferenceCase, _ model: ScalarNeuronModel,
                                              _ ours: ScalarNeuronModel.Result, _ layer: NeuronLayer,
                                              _ output: Tensor, _ shape: Layout, _ value: Float,
                                              _ report: inout ParityReport) throws {
        var sinabsRule = model
        sinabsRule.sinabsMembraneReset = true
        let input = try reference.tensor("input").scalars
        let theirs = sinabsRule.run(input, batch: shape.batch, time: shape.time, neurons: shape.neurons)
        let expected = try reference.tensor("output").scalars
        assertEqual(theirs.output, expected, "sinabs' rule in ScalarNeuronModel vs sinabs output", &report, shape: shape)
        report.close(try layer.state(named: "v_mem").scalars, ours.states["v_mem"]!, "v_mem vs scalar model",
                     samples: shape.batch, skipping: [])
        report.close(theirs.states["v_mem"]!, try reference.tensor("state_after", "v_mem").scalars,
                     "sinabs v_mem vs sinabs' rule", samples: shape.batch, skipping: [])
        let oursRecorded = try layer.recording(named: "v_mem").scalars
        let sinabsRecorded = try reference.tensor("recordings", "v_mem").scalars
        var differing = 0
        for b in 0..<shape.batch {
            for n in 0..<shape.neurons {
                let at = b * shape.time * shape.neurons + n  // step 0
                let spiked = output.scalars[at] > 0
                let gap = sinabsRecorded[at] - oursRecorded[at]
                report.expect(spiked ? gap == 0 : abs(gap - value) <= 1e-6,
                              "step 0 neuron \(b),\(n): sinabs - ours = \(gap), spiked \(spiked)")
                if !spiked { differing += 1 }
            }
        }
        report.expect(differing > 0, "no non-spiking neuron at step 0: the case shows no difference")
        report.expect(output.scalars != expected, "our output equals sinabs' despite the different rule")
        report.differences.append("MembraneReset(\(value)) only on spikes (checked vs scalar model)")
    }

    private func assertEqual(_ a: [Float], _ e: [Float], _ what: String, _ report: inout ParityReport,
                             shape: Layout) {
        report.close(a, e, what, rtol: 0, atol: 0, samples: shape.batch, skipping: [])
    }
}

struct Layout {
    let batch: Int, time: Int, neurons: Int
}

/// What one case showed: failures, deliberate differences, flipped samples.
struct ParityReport {
    let name: String
    var failures: [String] = []
    var differences: [String] = []
    var checked: [String] = []
    var flippedSamples = 0

    var line: String {
        let verdict = failures.isEmpty ? "PASS" : "FAIL (\(failures.count))"
        var notes = checked + differences
        if flippedSamples > 0 { notes.append("\(flippedSamples) sample(s) with an ambiguous spike") }
        return "  \(name.padding(toLength: 40, withPad: " ", startingAt: 0)) \(verdict)"
            + (notes.isEmpty ? "" : "  [\(notes.joined(separator: "; "))]")
    }

    mutating func fail(_ message: String) { failures.append(message) }
    mutating func expect(_ ok: Bool, _ message: @autoclosure () -> String) { if !ok { fail(message()) } }

    /// numpy.allclose per element, skipping the samples in `skipping` (the
    /// arrays hold `samples` equal chunks).
    mutating func close(_ a: [Float], _ e: [Float], _ what: String, rtol: Float = 1e-4, atol: Float = 1e-5,
                        samples: Int, skipping: Set<Int>) {
        guard a.count == e.count else { return fail("\(what): \(a.count) vs \(e.count) elements") }
        let chunk = max(a.count / max(samples, 1), 1)
        var bad = 0, first = ""
        for i in a.indices where !skipping.contains(i / chunk) && !(abs(a[i] - e[i]) <= atol + rtol * abs(e[i])) {
            if bad == 0 { first = "index \(i): \(a[i]) vs \(e[i])" }
            bad += 1
        }
        expect(bad == 0, "\(what): \(bad) of \(a.count) differ, first at \(first)")
    }

    /// Outputs must be equal, except where the membrane before the spike was
    /// within 1e-5 of a spike boundary (a multiple of the threshold); from such
    /// a flip on, the rest of that sample may differ. Returns the samples with
    /// a flip.
    mutating func compareSpikes(_ ours: [Float], _ theirs: [Float], model: ScalarNeuronModel.Result,
                                options: NeuronOptions, _ shape: Layout) -> Set<Int> {
        guard ours.count == theirs.count else {
            fail("output: \(ours.count) vs \(theirs.count) elements")
            return []
        }
        var flipped = Set<Int>()
        let chunk = shape.time * shape.neurons
        for i in ours.indices where ours[i] != theirs[i] {
            let sample = i / chunk
            if flipped.contains(sample) { continue }
            if options.spikes && Self.ambiguous(model.preSpike[i], model.thresholdUsed[i], options) {
                flipped.insert(sample)
            } else {
                fail("output index \(i): \(ours[i]) vs sinabs \(theirs[i]) (membrane \(model.preSpike[i]))")
                return flipped
            }
        }
        flippedSamples += flipped.count
        return flipped
    }

    static func ambiguous(_ v: Float, _ threshold: Float, _ options: NeuronOptions) -> Bool {
        switch options.spikeFunction {
        case .single: return abs(v - threshold) <= 1e-5
        case .multi, .max:
            let k = (v / threshold).rounded()
            return k >= 1 && abs(v - k * threshold) <= 1e-5
        }
    }
}
