import XCTest
@testable import SinabsCore

final class JSONTests: XCTestCase {
    func testRoundTripKeepsOrderNumbersAndEscapes() throws {
        let text = #"{"b":[1,-0.5,1e-08,true,false,null],"a":{"s":"q\"\\\n\u0001é😀"},"empty":[],"o":{}}"#
        let value = try JSON.parse(text)
        XCTAssertEqual(try JSON.parse(value.text), value)
        XCTAssertEqual(value["a"]?["s"], .string("q\"\\\n\u{01}é😀"))
        XCTAssertEqual(try JSON.parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(try JSON.parse(" [ 1 , 2 ] \n"), .array([.int(1), .int(2)]))
        for f: Float in [0.1, 1e-8, 3.4028235e38, -0, 7.5] {
            XCTAssertEqual(JSON.float(f).flatMap { if case .number(let t) = $0 { return Float(t) } else { return nil } }, f)
        }
        XCTAssertNil(JSON.float(.nan))
    }

    func testStrictErrors() {
        let bad = ["", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "tru", "\"abc", "\"\\x\"", "\"\u{01}\"", "[1] 2",
                   "{\"a\":1,\"a\":2}", "{a:1}", "\"\\ud800\"", "\"\\udc00\"", "nan", "[1 2]"]
        for text in bad {
            XCTAssertEqual(errorCode { _ = try JSON.parse(text) }, .invalidArgument, text)
        }
        XCTAssertEqual(errorCode { _ = try JSON.parse(String(repeating: "[", count: 100_000)) }, .invalidArgument)
        XCTAssertEqual(errorCode { _ = try JSON.parse([0x22, 0xFF, 0x22]) }, .invalidArgument, "invalid UTF-8")
    }
}
