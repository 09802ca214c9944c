/// The one error type of the core. Each case is a class of failure that the C
/// ABI maps to a `sinabs_status` code; the message says what exactly went wrong.
public struct SinabsError: Error, Equatable, CustomStringConvertible {
    /// The class of a failure; the raw value is the C ABI's `sinabs_status`.
    public enum Code: Int32, Sendable {
        /// A value out of range, a wrong kind of object or a missing argument (`SINABS_ERR_INVALID_ARGUMENT`).
        case invalidArgument = -1
        /// Shapes that do not fit together (`SINABS_ERR_SHAPE`).
        case shape = -2
        /// An allocation failed or a size overflows (`SINABS_ERR_OUT_OF_MEMORY`).
        case outOfMemory = -3
        /// The object's state does not allow the call, e.g. backward before a training forward (`SINABS_ERR_STATE`).
        case state = -4
        /// A state, parameter or gradient name the layer does not have (`SINABS_ERR_NOT_FOUND`).
        case notFound = -5
        /// A bug in libsinabs (`SINABS_ERR_INTERNAL`).
        case `internal` = -99
    }

    /// The class of failure.
    public let code: Code
    /// What exactly went wrong, for people.
    public let message: String

    /// An error of class `code` with `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func invalid(_ message: String) -> SinabsError { SinabsError(.invalidArgument, message) }
    static func shape(_ message: String) -> SinabsError { SinabsError(.shape, message) }
}
