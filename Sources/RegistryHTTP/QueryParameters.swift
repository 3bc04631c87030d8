import HTTPTypes
import Hummingbird
import RegistryDomain

extension Request {
    /// A query parameter, or `nil` when absent or empty.
    public func queryParameter(_ name: String) -> String? {
        uri.queryParameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A query parameter that must be present; 400 naming it otherwise.
    public func requiredQueryParameter(_ name: String) throws -> String {
        guard let value = queryParameter(name) else {
            throw APIError.badRequest("query parameter '\(name)' is required", code: "missing_parameter")
        }
        return value
    }

    /// True for `?wait=true` or `Prefer: wait=N`: answer with the projected resource.
    public var wantsProjectedResult: Bool {
        if queryParameter("wait") == "true" { return true }
        return headers[HTTPField.Name("Prefer")!]?.lowercased().contains("wait") ?? false
    }
}

/// Runs a throwing name parser, turning its error into a 400.
public func validated<Value>(_ parse: () throws(NameError) -> Value) throws(APIError) -> Value {
    do {
        return try parse()
    } catch {
        throw APIError.invalidName(error)
    }
}
