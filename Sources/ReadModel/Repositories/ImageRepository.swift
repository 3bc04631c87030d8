import Foundation
import RegistryDomain

/// The image versions of the read model.
public protocol ImageRepository: Sendable {
    /// Follows `plan` for a build of `user`; `nil` when nothing was found
    /// that the user may use.
    func resolve(_ plan: ResolutionPlan, for user: Username) async throws -> Resolution?

    /// One image version by id, deleted or not.
    func image(id: UUID) async throws -> ImageRecord?

    /// Live image versions `viewer` may see, matching `filter`, by id.
    func images(_ filter: ImageListFilter, viewer: Viewer) async throws -> [ImageRecord]

    /// Whether `viewer` may read bytes with `digest`: an image holding them
    /// that the viewer may see, or one the viewer registered (deleted or not).
    func mayRead(digest: SHA256Digest, viewer: Viewer) async throws -> Bool
}
