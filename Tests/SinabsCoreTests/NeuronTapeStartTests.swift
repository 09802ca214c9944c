import XCTest
@testable import SinabsCore

/// The tape keeps the membrane after integration (u) and v_mem before the
/// first step; backward rebuilds v_mem before every other step from u. With
/// a carried (non-zero) starting state, d tau_mem and the input gradient of
/// ExpLeak (no spikes: exact) must equal a reverse pass written out here.
final class NeuronTapeStartTests: XCTestCase {
    func testCarriedStateEntersTheTimeConstantGradient() throws {
        let (batch, time, neurons) = (2, 5, 3)
        var options = NeuronOptions(.expLeak)
        options.tauMem = 4
        let layer = try NeuronLayer(options)
        let count = batch * time * neurons
        let warmUp = try Tensor(shape: [batch, time, neurons], values: (0..<count).map { Float($0 % 7) + 1 })
        _ = try layer.forward(warmUp)  // not training: only carries v_mem
        let start = try layer.state(named: "v_mem").scalars
        XCTAssertGreaterThan(start.map(abs).max() ?? 0, 1)

        let x = (0..<count).map { Float(($0 * 5) % 11) / 10 - 0.3 }
        let g = (0..<count).map { Float(($0 * 3) % 7) / 7 - 0.4 }
        layer.training = true
        _ = try layer.forward(try Tensor(shape: [batch, time, neurons], values: x))
        let gradInput = try layer.backward(try Tensor(shape: [batch, time, neurons], values: g)).scalars

        let tau = Double(options.tauMem), a = exp(-1 / tau), inputScale = options.normalisesInput ? 1 - a : 1
        var dAlpha = 0.0
        for b in 0..<batch {
            for n in 0..<neurons {
                func at(_ t: Int) -> Int { (b * time + t) * neurons + n }
                var v = [Double(start[b * neurons + n])]  // v[t + 1]: after step t
                for t in 0..<time { v.append(a * v[t] + inputScale * Double(x[at(t)])) }
                var carried = 0.0  // dL/dv after step t, from later steps
                for t in stride(from: time - 1, through: 0, by: -1) {
                    let gv = Double(g[at(t)]) + carried
                    dAlpha += gv * (v[t] - (options.normalisesInput ? Double(x[at(t)]) : 0))
                    XCTAssertEqual(Double(gradInput[at(t)]), gv * inputScale, accuracy: 1e-5)
                    carried = gv * a
                }
            }
        }
        let expected = dAlpha * a / (tau * tau)
        let dTau = Double(try layer.gradient(named: "tau_mem").scalars[0])
        XCTAssertEqual(dTau, expected, accuracy: abs(expected) * 1e-4)
    }
}
