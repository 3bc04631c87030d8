import Hummingbird
import RegistryDomain

/// Reads `/v1/namespaces/{owner}/{path…}[/suffix…]` routes, where the
/// namespace path itself may hold `/`. The route is registered as
/// `namespaces/:owner/**`; the path ends before the first of
/// ``NamespacePath/reservedWords`` after its root (`collaborators`,
/// `invites`, `webhooks`), which no new namespace may use as a segment.
public struct NamespaceRoute: Sendable {
    public let namespace: NamespaceReference
    /// Segments after the namespace path, such as `["collaborators", "bob"]`.
    public let suffix: [String]

    /// The reserved word the route's suffix starts with (`collaborators`,
    /// `invites`, `webhooks`), or `nil` when the route is the namespace itself.
    public static func subresource(of context: RegistryRequestContext) -> String? {
        suffix(of: context).first
    }

    /// The route's segments after the namespace path (empty for the
    /// namespace itself), such as `["webhooks", "…", "deliveries"]`.
    public static func suffix(of context: RegistryRequestContext) -> [String] {
        let segments = context.parameters.getCatchAll().map(String.init)
        return suffixStart(in: segments).map { Array(segments[$0...]) } ?? []
    }

    /// Parses the route, expecting exactly the `suffix` words after the
    /// path (a `nil` word matches any single segment, such as a username).
    public init(context: RegistryRequestContext, suffix pattern: [String?] = []) throws {
        let ownerText = try context.parameters.require("owner")
        let segments = context.parameters.getCatchAll().map(String.init)
        guard !segments.isEmpty else { throw APIError.notFound("namespace not found") }
        let start = Self.suffixStart(in: segments) ?? segments.count
        let suffix = Array(segments[start...])
        guard suffix.count == pattern.count,
            zip(suffix, pattern).allSatisfy({ word, expected in expected == nil || word == expected })
        else {
            throw APIError.notFound("no such route")
        }
        let pathText = segments[..<start].joined(separator: "/")
        namespace = try validated { () throws(NameError) in
            NamespaceReference(path: try NamespacePath(pathText), owner: try Username(ownerText, field: "owner"))
        }
        self.suffix = suffix
    }

    /// Where the suffix starts: the first reserved word after the root.
    private static func suffixStart(in segments: [String]) -> Int? {
        segments.indices.dropFirst().first { NamespacePath.reservedWords.contains(segments[$0]) }
    }
}
