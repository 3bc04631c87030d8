/// A namespace path inside one owner's tree, such as `team/infra/ci`.
///
/// Segments are letters and digits; paths nest with `/` up to
/// ``maximumDepth`` segments, as in Djinn CI.
public struct NamespacePath: ValidatedString {
    /// Deepest nesting Djinn CI allows.
    public static let maximumDepth = 20
    /// Longest segment accepted, in bytes.
    public static let maximumSegmentLength = 64

    /// Words that name what a route under a namespace is about
    /// (`/v1/namespaces/{owner}/{path}/collaborators/…`), so no new
    /// namespace may use them as a segment: the route's namespace path ends
    /// before the first of them.
    public static let reservedWords: Set<String> = ["collaborators", "invites", "webhooks"]

    /// The path's segments, root first.
    public let segments: [String]

    public init(_ value: String, field: String = "namespace") throws(NameError) {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !value.isEmpty, !parts.contains(where: \.isEmpty) else {
            throw NameError(field: field, message: "path must be one or more '/'-separated segments (got \"\(value)\")")
        }
        guard parts.count <= Self.maximumDepth else {
            throw NameError(field: field, message: "path may be at most \(Self.maximumDepth) segments deep")
        }
        for part in parts {
            guard part.utf8.count <= Self.maximumSegmentLength else {
                throw NameError(field: field, message: "segments must be at most \(Self.maximumSegmentLength) characters")
            }
            guard part.utf8.allSatisfy(CharacterRules.isAlphanumeric) else {
                throw NameError(field: field, message: "segments may contain only letters and digits (got \"\(part)\")")
            }
        }
        self.segments = parts
    }

    private init(validatedSegments: [String]) {
        self.segments = validatedSegments
    }

    /// Passes when no segment is one of ``reservedWords``: required of every
    /// namespace created from now on (earlier ones stay valid).
    public func checkUnreserved(field: String = "namespace") throws(NameError) {
        if let word = segments.first(where: Self.reservedWords.contains) {
            throw NameError(
                field: field,
                message: "\"\(word)\" is reserved for the routes under a namespace; choose another segment name")
        }
    }

    /// The path as written, segments joined with `/`.
    public var value: String { segments.joined(separator: "/") }

    /// The first segment: collaborators and ownership live on the root.
    public var root: NamespacePath { NamespacePath(validatedSegments: [segments[0]]) }

    /// The parent path, or `nil` for a root namespace.
    public var parent: NamespacePath? {
        segments.count > 1 ? NamespacePath(validatedSegments: Array(segments.dropLast())) : nil
    }

    /// This path and every ancestor, root first.
    public var lineage: [NamespacePath] {
        (1...segments.count).map { NamespacePath(validatedSegments: Array(segments.prefix($0))) }
    }

    public var description: String { value }

    public init(validating text: String) throws(NameError) {
        try self.init(text)
    }

    public var text: String { value }
}
