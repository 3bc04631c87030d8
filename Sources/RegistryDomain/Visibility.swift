/// Who may see a namespace and the images in it.
public enum Visibility: String, Codable, Sendable, CaseIterable {
    /// Anyone, signed in or not.
    case `public`
    /// Any signed-in user.
    case `internal`
    /// The owner and the collaborators of the namespace tree.
    case `private`
}
