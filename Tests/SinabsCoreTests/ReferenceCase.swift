import Foundation
import XCTest
@testable import SinabsCore

/// A case of tests/reference/cases (generated from sinabs 3.1.3).
struct ReferenceCase {
    let name: String
    let json: [String: Any]

    /// The reference folder: $SINABS_REFERENCE_DIR, else the checkout's
    /// tests/reference/cases.
    static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["SINABS_REFERENCE_DIR"] {
            return URL(fileURLWithPath: dir)
        }
        let checkout = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return checkout.appendingPathComponent("tests/reference/cases")
    }

    static func load(_ name: String) throws -> ReferenceCase {
        let url = directory.appendingPathComponent(name + ".json")
        let data = try Data(contentsOf: url)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return ReferenceCase(name: name, json: json)
    }

    static func all(kind: String) throws -> [ReferenceCase] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { try load(String($0.dropLast(5))) }.filter { $0.json["kind"] as? String == kind }
    }

    subscript(path: String...) -> Any? {
        var node: Any? = json
        for key in path { node = (node as? [String: Any])?[key] }
        return node
    }

    /// A tensor stored as {"shape": [...], "data": [...]}.
    static func tensor(_ node: Any?) throws -> Tensor {
        let dict = try XCTUnwrap(node as? [String: Any], "not a tensor")
        let shape = try XCTUnwrap(dict["shape"] as? [Int])
        let data = try XCTUnwrap(dict["data"] as? [Double]).map { Float($0) }
        return try Tensor(shape: shape, values: data)
    }

    func tensor(_ path: String...) throws -> Tensor {
        var node: Any? = json
        for key in path { node = (node as? [String: Any])?[key] }
        return try Self.tensor(node)
    }
}

/// Asserts equal shapes and values within `rtol`/`atol` (numpy.allclose rule).
func assertClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5,
                 _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "\(what): shape", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    let a = actual.scalars, e = expected.scalars
    var bad = 0
    var first = ""
    for i in a.indices where !(abs(a[i] - e[i]) <= atol + rtol * abs(e[i])) {
        if bad == 0 { first = "index \(i): \(a[i]) vs \(e[i])" }
        bad += 1
    }
    XCTAssertEqual(bad, 0, "\(what): \(bad) of \(a.count) differ, first at \(first)", file: file, line: line)
}
