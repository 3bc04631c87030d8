import Foundation
import Hummingbird
import Logging
import RegistryAPI
import RegistryAuth
import RegistryDomain

/// The request context both services use: the framework's storage plus the
/// authenticated caller, if any.
public struct RegistryRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthenticationMiddleware`` when the request carried a valid token.
    public var caller: Caller?
    /// Set by ``ReadYourWritesMiddleware`` when the request named a log
    /// position and the read model has reached it.
    public var readsAfterPosition = false

    /// Request bodies are read as the registry's JSON (``RegistryJSON``).
    public var requestDecoder: JSONDecoder { RegistryJSON.decoder() }
    /// Answers are written as the registry's JSON, so handlers return values.
    public var responseEncoder: JSONEncoder { RegistryJSON.encoder() }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.caller = nil
    }

    /// The caller, or a 401 when the request carried no token.
    public func requireCaller() throws -> Caller {
        guard let caller else { throw APIError.unauthorized("a bearer token is required") }
        return caller
    }

    /// Who is reading, for access rules: the caller when it holds `scope`
    /// (or is an administrator), otherwise anonymous.
    public func viewer(for scope: Scope) -> Viewer {
        guard let caller, caller.has(scope) else { return .anonymous }
        return caller.viewer
    }

    /// The caller when it holds `scope`, otherwise 401 (no token) or 404, so a
    /// missing permission reveals nothing about what exists.
    public func requireCaller(with scope: Scope, hiding resource: String) throws -> Caller {
        let caller = try requireCaller()
        guard caller.has(scope) else { throw APIError.notFound("\(resource) not found") }
        return caller
    }
}
