import Foundation
import ReadModel
import RegistryDomain

/// A namespace as the API shows it.
public struct NamespaceResource: Codable, Sendable, Equatable {
    public var path: String
    public var owner: String
    /// The canonical reference, `path@owner`.
    public var reference: String
    public var visibility: Visibility
    public var createdAt: Date
    /// The root's collaborators; shown only to those who may manage them.
    public var collaborators: [String]?

    enum CodingKeys: String, CodingKey {
        case path, owner, reference, visibility, collaborators
        case createdAt = "created_at"
    }

    public init(_ record: NamespaceRecord, collaborators: [String]? = nil) {
        path = record.reference.path.value
        owner = record.reference.owner.value
        reference = record.reference.description
        visibility = record.visibility
        createdAt = record.createdAt
        self.collaborators = collaborators
    }

    /// Loads a namespace, with its collaborators when `showingCollaborators`.
    public static func load(
        _ namespace: NamespaceReference, from queries: any NamespaceRepository, showingCollaborators: Bool
    ) async throws -> NamespaceResource? {
        guard let record = try await queries.namespace(namespace)
        else { return nil }
        guard showingCollaborators,
            let access = try await queries.namespaceAccess(namespace)
        else { return NamespaceResource(record) }
        return NamespaceResource(record, collaborators: access.collaborators.map(\.value).sorted())
    }
}
