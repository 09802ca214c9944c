// Train a spiking network on scikit-learn's 8x8 digits with SinabsCore from
// Swift: Sequential, cross-entropy over the output spikes, Adam, one
// trainStep call per batch.
//
//   make example-swift-digits
//   sinabs-swift-train-digits DATA OUT.safetensors     train, save
//   sinabs-swift-train-digits DATA --evaluate MODEL    a model saved by C or Python
//
// Network, a small convolutional SNN in sinabs' squeeze form (Batch*Time,
// channels, height, width): Conv2d(1 -> 16, 3x3, padding 1) -> IAFSqueeze ->
// SumPool2d(2) -> Flatten -> Linear(256 -> 10) -> IAFSqueeze. Pixels are
// rate-coded as Bernoulli spike trains over T steps; the class is the output
// neuron with the most spikes. DATA is the file examples/export_digits.py
// writes. Exits 1 below 90% test accuracy.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SinabsCore

let steps = 10, batchSize = 32, epochs = 15, channels = 16

struct Digits {
    var train: [(pixels: [Float], label: Int)] = []
    var test: [(pixels: [Float], label: Int)] = []

    init(path: String) throws {
        guard let file = fopen(path, "rb") else { throw SinabsError(.notFound, "cannot open \(path)") }
        defer { fclose(file) }
        var header = [UInt8](repeating: 0, count: 12)
        guard fread(&header, 1, 12, file) == 12, header[0..<4].elementsEqual("DGT1".utf8) else {
            throw SinabsError(.invalidArgument, "\(path) is not a digits file")
        }
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(header[at + $1]) << (8 * $1) } }
        let nTrain = u32(4), nTest = u32(8)
        var records = [UInt8](repeating: 0, count: (nTrain + nTest) * 65)
        guard fread(&records, 1, records.count, file) == records.count else {
            throw SinabsError(.invalidArgument, "\(path) is truncated")
        }
        for i in 0..<(nTrain + nTest) {
            let record = records[(i * 65)..<(i * 65 + 65)]
            let sample = (pixels: record.prefix(64).map { Float($0) / 16 }, label: Int(record[record.startIndex + 64]))
            if i < nTrain { train.append(sample) } else { test.append(sample) }
        }
    }
}

/// xorshift64*: reproducible uniform numbers in [0, 1).
struct Generator {
    var state: UInt64 = 7
    mutating func uniform() -> Float {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return Float((state &* 2685821657736338717) >> 40) / Float(1 << 24)
    }
}

var generator = Generator()

/// (B*T, 1, 8, 8) Bernoulli spike trains, sample-major, and (B) labels.
func encode(_ samples: ArraySlice<(pixels: [Float], label: Int)>) throws -> (Tensor, Tensor) {
    var spikes: [Float] = []
    spikes.reserveCapacity(samples.count * steps * 64)
    for sample in samples {
        for _ in 0..<steps {
            for p in sample.pixels { spikes.append(generator.uniform() < p ? 1 : 0) }
        }
    }
    return (try Tensor(shape: [samples.count * steps, 1, 8, 8], values: spikes),
            try Tensor(shape: [samples.count], values: samples.map { Float($0.label) }))
}

func buildModel() throws -> Sequential {
    var iaf = NeuronOptions(.iaf)
    iaf.form = .squeeze(batchSize: nil, numTimesteps: steps)
    let model = Sequential([
        try Conv2d(inChannels: 1, outChannels: channels, kernelSize: Pair2d(3), padding: Pair2d(1)),
        try NeuronLayer(iaf),
        try SumPool2d(kernelSize: Pair2d(2)),
        try Flatten(),
        try Linear(inFeatures: channels * 16, outFeatures: 10),
        try NeuronLayer(iaf),
    ])
    // torch's initialisation, reproducibly: uniform in +-1/sqrt(fan_in)
    // (fan_in 9 for the convolution, 256 for the Linear layer).
    for parameter in model.namedParameters() where parameter.layer is Conv2d || parameter.layer is Linear {
        let bound: Float = parameter.layer is Conv2d ? 1.0 / 3 : 1.0 / 16
        parameter.value.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] = (2 * generator.uniform() - 1) * bound }
        }
    }
    return model
}

func testAccuracy(_ model: Sequential, _ data: Digits) throws -> Double {
    let (input, labels) = try encode(data.test[...])
    model.resetStates()
    let spikes = try model.forward(input).scalars
    let truth = labels.scalars
    var right = 0
    for b in 0..<data.test.count {
        var counts = [Float](repeating: 0, count: 10)
        for t in 0..<steps {
            for c in 0..<10 { counts[c] += spikes[(b * steps + t) * 10 + c] }
        }
        let best = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        if Float(best) == truth[b] { right += 1 }
    }
    return Double(right) / Double(data.test.count)
}

func seconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

func percent(_ value: Double) -> String { Sequential.formatFixed(Float(100 * value), digits: 1) + "%" }

func run() throws -> Int32 {
    let arguments = CommandLine.arguments
    guard arguments.count >= 3 else {
        print("usage: \(arguments[0]) DATA OUT.safetensors | DATA --evaluate MODEL")
        return 2
    }
    Threads.count = 1  // small calls: threads cost more than they save
    let data = try Digits(path: arguments[1])
    if arguments[2] == "--evaluate", arguments.count > 3 {
        let accuracy = try testAccuracy(try Sequential(contentsOf: arguments[3]), data)
        print("Swift: model \(arguments[3]): test accuracy \(percent(accuracy))")
        return accuracy >= 0.9 ? 0 : 1
    }
    let model = try buildModel()
    let adam = try Adam(Adam.Options(learningRate: 2e-3))
    let started = seconds()
    var accuracy = 0.0
    var order = Array(data.train.indices)
    for epoch in 1...epochs {
        for i in stride(from: order.count - 1, to: 0, by: -1) {  // Fisher-Yates
            order.swapAt(i, min(i, Int(generator.uniform() * Float(i + 1))))
        }
        var losses: [Float] = []
        for first in stride(from: 0, to: order.count, by: batchSize) {
            let batch = order[first..<min(first + batchSize, order.count)].map { data.train[$0] }
            let (input, labels) = try encode(batch[...])
            model.resetStates()
            losses.append(try model.trainStep(input: input, target: labels, loss: .crossEntropySum, optimizer: adam))
        }
        accuracy = try testAccuracy(model, data)
        let loss = losses.reduce(0, +) / Float(losses.count)
        print("epoch \(epoch < 10 ? " " : "")\(epoch)  loss \(Sequential.formatFixed(loss, digits: 4))  "
              + "test accuracy \(percent(accuracy))  (\(Sequential.formatFixed(Float(seconds() - started), digits: 1)) s)")
    }
    try model.save(to: arguments[2])
    print(model.summary() + "saved \(arguments[2]); Swift: final test accuracy \(percent(accuracy))")
    return accuracy >= 0.9 ? 0 : 1
}

do {
    exit(try run())
} catch {
    print("sinabs-swift-train-digits failed: \(error)")
    exit(2)
}
