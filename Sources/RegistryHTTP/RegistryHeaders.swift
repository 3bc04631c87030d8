import HTTPTypes

extension HTTPField.Name {
    /// `Registry-Position: <partition>:<offset>`, the log position of a write.
    public static let registryPosition = HTTPField.Name("Registry-Position")!

    /// `Idempotency-Key`: a client's name for one command, reused on retries.
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
