/// The body of every error answer: `{"error": {"code", "message", "details"?}}`.
public struct ErrorResource: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        /// A stable, machine-readable code such as `not_found` or `invalid_image`.
        public let code: String
        /// What went wrong and, where it helps, what to do.
        public let message: String
        /// What a script needs to act on the error (the builds that used a
        /// version, say), when the code has any.
        public let details: JSONValue?

        public init(code: String, message: String, details: JSONValue? = nil) {
            self.code = code
            self.message = message
            self.details = details
        }
    }

    public let error: Detail

    public init(code: String, message: String, details: JSONValue? = nil) {
        error = Detail(code: code, message: message, details: details)
    }
}
