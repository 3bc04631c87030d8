import Foundation

/// Decides, in log order, what each `image-created` event of a run does:
/// the pure part of the read model's image fold, with no I/O.
///
/// An image gets the next version of its name (one above the highest ever
/// stored, deleted versions included), unless its bytes already are the
/// newest live version of that name: then it changes nothing and the event
/// stands for that version. This is decided here, at the event's position,
/// and not by ingest on whatever it last read, so a registration that
/// follows a deletion ingest has not seen yet still makes a version.
public struct ImageVersioning: Sendable {
    /// The name an image version belongs to: owner (none for base images),
    /// namespace path (none outside namespaces) and image name.
    public struct Name: Hashable, Sendable {
        public let owner: String
        public let namespacePath: String
        public let name: String

        public init(owner: String, namespacePath: String, name: String) {
            self.owner = owner
            self.namespacePath = namespacePath
            self.name = name
        }

        public init(_ image: ImageCreated) {
            self.init(owner: image.owner?.value ?? "", namespacePath: image.namespace?.value ?? "", name: image.name)
        }
    }

    /// What the read model already holds for one name.
    public struct Stored: Sendable {
        /// The highest version ever stored, deleted or not; 0 for none.
        public var highestVersion: Int
        /// The newest version that is not deleted, if any.
        public var newestLive: (id: UUID, sha256: String)?

        public init(highestVersion: Int, newestLive: (id: UUID, sha256: String)?) {
            self.highestVersion = highestVersion
            self.newestLive = newestLive
        }

        public static let none = Stored(highestVersion: 0, newestLive: nil)
    }

    /// One event's outcome.
    public enum Outcome: Equatable, Sendable {
        /// A new row with this version number.
        case newVersion(Int)
        /// The bytes are already the newest live version, this image.
        case unchanged(sameAs: UUID)
        /// The image id is already stored (or earlier in the run): nothing.
        case existingID
    }

    private var names: [Name: Stored]
    private var ids: Set<UUID>

    /// Starts from what is stored for the run's names and which of its
    /// image ids already exist.
    public init(stored: [Name: Stored], existingIDs: Set<UUID>) {
        self.names = stored
        self.ids = existingIDs
    }

    /// The outcome of the next event of the run, which it then takes into account.
    public mutating func decide(_ image: ImageCreated) -> Outcome {
        guard ids.insert(image.imageID).inserted else { return .existingID }
        let name = Name(image)
        var stored = names[name] ?? .none
        if let newest = stored.newestLive, newest.sha256 == image.sha256.hex {
            return .unchanged(sameAs: newest.id)
        }
        stored.highestVersion += 1
        stored.newestLive = (image.imageID, image.sha256.hex)
        names[name] = stored
        return .newVersion(stored.highestVersion)
    }
}
