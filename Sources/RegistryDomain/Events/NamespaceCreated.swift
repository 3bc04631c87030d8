/// Data of a `namespace-created` event: `owner` made the namespace at `path`.
///
/// Missing ancestors are created with it, each taking its parent's
/// visibility; the namespace itself takes `visibility`, or its parent's when
/// `nil` (private for a root). Creating a path that exists changes nothing.
public struct NamespaceCreated: Codable, Sendable, Equatable {
    public var owner: Username
    public var path: NamespacePath
    public var visibility: Visibility?

    public init(owner: Username, path: NamespacePath, visibility: Visibility?) {
        self.owner = owner
        self.path = path
        self.visibility = visibility
    }
}
