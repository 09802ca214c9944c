import Foundation
import XCTest
@testable import SinabsCore

/// A model file written from Python (tests/reference/gen_model_file.py):
/// Swift loads it and reproduces the output the real sinabs computed from the
/// same parameters, and writes the same bytes back.
final class ModelFileCrossLanguageTests: XCTestCase {
    func testPythonWrittenFileLoadsInSwift() throws {
        let reference = try ReferenceCase.load("model_file_lif")
        let path = ReferenceCase.directory.appendingPathComponent("model_file_lif.safetensors").path
        let model = try Sequential(contentsOf: path)
        XCTAssertEqual(model.layers.map(Sequential.kindName), ["Linear", "LIF", "Linear", "IAF"])
        let output = try model.forward(try reference.tensor("input"))
        XCTAssertEqual(output.scalars, try reference.tensor("output").scalars)
        XCTAssertEqual(try model.fileBytes(), Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }
}
