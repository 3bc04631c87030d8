import RegistryAPI

extension JSONValue {
    /// The member `key` of an object; `nil` for anything else.
    subscript(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The value as text: a string itself, a number written out; `nil` otherwise.
    var stringValue: String? {
        switch self {
        case .string(let text): text
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .bool(let flag): String(flag)
        default: nil
        }
    }
}
