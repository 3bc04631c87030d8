import RegistryDomain

/// Records the projection could not apply.
public protocol DeadLetterRepository: Sendable {
    /// Dead-lettered records in log position order, after `after`.
    func deadLetters(after: LogPosition?, limit: Int) async throws -> [DeadLetter]
}
