// A readable table of the model, like torchinfo's summary.
extension Sequential {
    /// One row per layer: index, kind, output shape (once built or run),
    /// parameter count, and after a forward the firing rate of each spiking
    /// layer (mean spikes per neuron and step).
    public func summary() -> String {
        let total = layers.reduce(0) { $0 + Self.parameterCount(of: $1) }
        var header = "Sequential: \(layers.count) layer\(layers.count == 1 ? "" : "s"), "
        header += "\(Self.grouped(total)) parameters"
        if let inputShape { header += ", input \(Self.format(inputShape))" }
        var rows = [["#", "kind", "output shape", "parameters", "firing rate"]]
        for (index, layer) in layers.enumerated() {
            let shape = index < layerOutputShapes.count ? Self.format(layerOutputShapes[index]) : "-"
            var rate = ""
            if hasForwardRun, let neurons = layer as? NeuronLayer, neurons.options.spikes {
                rate = Self.fixed(neurons.firingRate, digits: 4)
            }
            rows.append(["\(index)", Self.kindName(of: layer), shape,
                         Self.grouped(Self.parameterCount(of: layer)), rate])
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        let lines = rows.map { row in
            row.enumerated().map { column, text in
                let pad = String(repeating: " ", count: widths[column] - text.count)
                return column == 0 || column == 3 ? pad + text : text + pad
            }.joined(separator: "  ").trimmingSuffixSpaces()
        }
        return ([header] + lines).joined(separator: "\n") + "\n"
    }

    static func format(_ shape: [Int]) -> String {
        "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    }

    /// 12345 -> "12,345".
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }

    /// `value` with `digits` decimals ("0.0852"), without Foundation's String(format:).
    public static func formatFixed(_ value: Float, digits: Int) -> String { fixed(value, digits: digits) }

    /// A fixed-point rendering without Foundation's String(format:).
    static func fixed(_ value: Float, digits: Int) -> String {
        guard value.isFinite, abs(value) < 1e9 else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (Double(value) * scale).rounded()
        let negative = scaled < 0
        let magnitude = String(Int(abs(scaled)))
        let padded = String(repeating: "0", count: max(0, digits + 1 - magnitude.count)) + magnitude
        let cut = padded.index(padded.endIndex, offsetBy: -digits)
        return (negative ? "-" : "") + padded[..<cut] + "." + padded[cut...]
    }
}

extension String {
    func trimmingSuffixSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
