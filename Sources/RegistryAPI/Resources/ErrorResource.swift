/// The body of every error answer: `{"error": {"code", "message"}}`.
public struct ErrorResource: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        /// A stable, machine-readable code such as `not_found` or `invalid_image`.
        public let code: String
        /// What went wrong and, where it helps, what to do.
        public let message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public let error: Detail

    public init(code: String, message: String) {
        error = Detail(code: code, message: message)
    }
}
