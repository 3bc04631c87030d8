/// Who may see a namespace and the images in it.
public enum Visibility: String, Codable, Sendable, CaseIterable {
    /// Anyone, signed in or not.
    case `public`
    /// Any signed-in user.
    case `internal`
    /// The owner and the collaborators of the namespace tree.
    case `private`
}

extension Visibility {
    /// Parses a visibility, naming the allowed ones when it is unknown.
    public init(parsing text: String, field: String = "visibility") throws(NameError) {
        guard let visibility = Visibility(rawValue: text) else {
            throw NameError(field: field, message: "must be \"public\", \"internal\" or \"private\" (got \"\(text)\")")
        }
        self = visibility
    }
}
