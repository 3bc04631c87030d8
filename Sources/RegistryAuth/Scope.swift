/// What a token allows, from the space-separated `scope` claim.
public enum Scope: String, Sendable, CaseIterable, Codable {
    case imageRead = "image:read"
    case imageWrite = "image:write"
    case namespaceRead = "namespace:read"
    case namespaceWrite = "namespace:write"
    /// The build scheduler's service scope: resolves on behalf of a build's user.
    case imageResolve = "image:resolve"
    case registryAdmin = "registry:admin"
}
