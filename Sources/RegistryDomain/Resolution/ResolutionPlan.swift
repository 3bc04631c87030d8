/// What a build asks for: an image name, the build's user and, when the
/// manifest has one, the build's namespace.
public struct ResolutionRequest: Sendable, Hashable {
    public var user: Username
    public var namespace: NamespaceReference?
    public var image: String
    public var driver: Driver

    public init(user: Username, namespace: NamespaceReference?, image: String, driver: Driver = .qemu) {
        self.user = user
        self.namespace = namespace
        self.image = image
        self.driver = driver
    }
}

/// One place to look for an image, in the order Djinn CI looks.
public enum ResolutionStep: Sendable, Equatable {
    /// The image of that name in exactly that namespace (no parents, no children).
    case namespace(NamespaceReference, ImageName)
    /// The user's personal (un-namespaced) image of that name.
    case personal(Username, ImageName)
    /// The newest image of that name in any namespace the user owns.
    case ownedNamespaces(Username, ImageName)
    /// The base image of that name.
    case base(BaseImageName)
}

/// Djinn CI's resolution order, made deterministic.
///
/// - With a build namespace: that exact namespace, then the base image.
/// - Without: the user's personal image, then the newest of that name in a
///   namespace the user owns, then the base image.
///
/// A custom image therefore shadows a base image of the same name, but only
/// for the user or namespace that owns it. A name with `/` can only be a base
/// image. `name@sha256:<hex>` pins one exact version; every step then looks
/// for that digest instead of the newest version.
public struct ResolutionPlan: Sendable, Equatable {
    /// The places to look, in order; the first that finds an image wins.
    public let steps: [ResolutionStep]
    /// The pinned version, if the request named one.
    public let digest: SHA256Digest?

    public init(for request: ResolutionRequest) throws(NameError) {
        let reference = try ImageReference(parsing: request.image)
        let customName = try? ImageName(reference.name, field: "image")
        let baseName = try? BaseImageName(reference.name, field: "image")
        if customName == nil && baseName == nil {
            // Report the custom-name rule: it is the one users meet most.
            _ = try ImageName(reference.name, field: "image")
        }
        var steps: [ResolutionStep] = []
        if let customName {
            if let namespace = request.namespace {
                steps.append(.namespace(namespace, customName))
            } else {
                steps.append(.personal(request.user, customName))
                steps.append(.ownedNamespaces(request.user, customName))
            }
        }
        if let baseName {
            steps.append(.base(baseName))
        }
        self.steps = steps
        self.digest = reference.digest
    }
}
