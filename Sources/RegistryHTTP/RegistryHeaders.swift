import HTTPTypes

extension HTTPField.Name {
    /// `Registry-Position: <partition>:<offset>`, the log position of a write.
    public static let registryPosition = HTTPField.Name("Registry-Position")!

    /// `Idempotency-Key`: a client's name for one command, reused on retries.
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// `Warning` (RFC 9111 §5.5): what a deprecated version's resolution carries.
    public static let warning = HTTPField.Name("Warning")!
}
