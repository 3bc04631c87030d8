/// Turns a `DecodingError` into one plain sentence that names the field.
public enum DecodingErrorDescription {
    public static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type for field \(path(context.codingPath))"
        case .dataCorrupted(let context):
            if let nameError = context.underlyingError as? NameError {
                return nameError.description
            }
            return context.codingPath.isEmpty
                ? "malformed JSON"
                : "invalid value for field \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "malformed JSON"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
