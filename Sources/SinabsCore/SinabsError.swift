/// The one error type of the core. Each case is a class of failure that the C
/// ABI maps to a `sinabs_status` code; the message says what exactly went wrong.
public struct SinabsError: Error, Equatable, CustomStringConvertible {
    public enum Code: Int32, Sendable {
        case invalidArgument = -1
        case shape = -2
        case outOfMemory = -3
        case state = -4
        case notFound = -5
        case `internal` = -99
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func invalid(_ message: String) -> SinabsError { SinabsError(.invalidArgument, message) }
    static func shape(_ message: String) -> SinabsError { SinabsError(.shape, message) }
}
