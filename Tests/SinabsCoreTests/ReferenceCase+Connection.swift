import XCTest
@testable import SinabsCore

/// Building the layers of `connection_layer` and `network` reference cases.
extension ReferenceCase {
    /// The layer types this suite builds from descriptions.
    static let connectionTypes: [DescribableLayer.Type] = [
        Conv2d.self, AvgPool2d.self, SumPool2d.self, MaxPool2d.self, Flatten.self, Cropping2dLayer.self,
        ChannelShift.self, ZeroPad2d.self, FlattenTime.self, UnflattenTime.self, Merge.self, ReLU.self, Dropout.self,
    ]

    private static let boolArguments: Set<String> = ["bias", "ceil_mode", "count_include_pad"]

    /// sinabs/torch constructor arguments as a LayerDescription (nested pairs
    /// such as Cropping2dLayer's ((top, bottom), (left, right)) flattened).
    static func layerDescription(type: String, params: [String: Any]) throws -> LayerDescription {
        var arguments: [String: LayerArgument] = [:]
        for (key, value) in params {
            if boolArguments.contains(key) {
                arguments[key] = .bool(try XCTUnwrap(value as? Bool))
            } else if let nested = value as? [[Int]] {
                arguments[key] = .ints(nested.flatMap { $0 })
            } else if let ints = value as? [Int] {
                arguments[key] = .ints(ints)
            } else if let int = value as? Int {
                arguments[key] = .int(int)
            } else if let number = value as? Double {
                arguments[key] = .float(Float(number))
            } else {
                XCTFail("\(type): cannot read argument \(key) = \(value)")
            }
        }
        return LayerDescription(kind: type, arguments: arguments)
    }

    static func connectionLayer(type: String, params: [String: Any]) throws -> any DescribableLayer {
        let description = try layerDescription(type: type, params: params)
        let builder = try XCTUnwrap(connectionTypes.first { $0.kinds.contains(type) }, "no layer type for \(type)")
        return try builder.init(description: description)
    }
}
