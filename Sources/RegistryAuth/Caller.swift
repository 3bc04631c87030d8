import RegistryDomain

/// The user a request acts for, from a verified token.
public struct Caller: Sendable, Equatable {
    public let subject: String
    public let username: Username
    public let scopes: Set<Scope>

    public init(subject: String, username: Username, scopes: Set<Scope>) {
        self.subject = subject
        self.username = username
        self.scopes = scopes
    }

    /// This caller as a reader for access rules.
    public var viewer: Viewer {
        Viewer(username: username, isAdministrator: scopes.contains(.registryAdmin))
    }

    /// Whether this caller may resolve images for a build of `user`
    /// (``AccessPolicy/canResolve(for:viewer:isScheduler:)``).
    public func mayResolve(for user: Username) -> Bool {
        AccessPolicy.canResolve(
            for: user, viewer: has(.imageRead) ? viewer : .anonymous, isScheduler: has(.imageResolve))
    }

    public func has(_ scope: Scope) -> Bool {
        scopes.contains(scope) || scopes.contains(.registryAdmin)
    }
}
