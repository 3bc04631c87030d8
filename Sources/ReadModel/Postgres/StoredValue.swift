import RegistryDomain

/// A value in the read model that breaks the rule it was written under:
/// the fold stores only validated values, so this means the database was
/// changed by hand or is damaged. Reading it fails loudly instead of
/// answering with a guess.
public struct InvalidStoredValue: Error, CustomStringConvertible {
    /// The broken rule, naming the column (`images.owner: …`).
    public let problem: NameError

    public var description: String { "the read model holds an invalid \(problem)" }
}

enum StoredValue {
    /// `make`'s value, or ``InvalidStoredValue``; `make` names the column
    /// as its validation's field.
    static func decode<Value>(_ make: () throws -> Value) throws -> Value {
        do {
            return try make()
        } catch let error as NameError {
            throw InvalidStoredValue(problem: error)
        }
    }
}

extension Optional {
    /// The value, or `error` when there is none.
    func orThrow(_ error: NameError) throws -> Wrapped {
        guard let self else { throw error }
        return self
    }
}
