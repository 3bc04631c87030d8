import Hummingbird
import RegistryDomain

/// Reads `/v1/namespaces/{owner}/{path…}[/suffix…]` routes, where the
/// namespace path itself may hold `/`. The route is registered as
/// `namespaces/:owner/**`; the suffix is matched from the end.
public struct NamespaceRoute: Sendable {
    public let namespace: NamespaceReference
    /// Segments after the namespace path, such as `["collaborators", "bob"]`.
    public let suffix: [String]

    /// Parses the route, expecting `suffix` words after the path (a `nil`
    /// word matches any single segment, such as a username).
    public init(context: RegistryRequestContext, suffix pattern: [String?] = []) throws {
        let ownerText = try context.parameters.require("owner")
        let segments = context.parameters.getCatchAll().map(String.init)
        guard segments.count > pattern.count else { throw APIError.notFound("namespace not found") }
        let suffix = Array(segments.suffix(pattern.count))
        for (word, expected) in zip(suffix, pattern) where expected != nil && word != expected {
            throw APIError.notFound("no such route")
        }
        let pathText = segments.dropLast(pattern.count).joined(separator: "/")
        namespace = try validated { () throws(NameError) in
            NamespaceReference(path: try NamespacePath(pathText), owner: try Username(ownerText, field: "owner"))
        }
        self.suffix = suffix
    }
}
