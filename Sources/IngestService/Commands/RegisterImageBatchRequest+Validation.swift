import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

extension RegisterImageBatchRequest {
    /// Most registrations in one batch.
    static let maximumCount = 500
    /// Largest body accepted: room for ``maximumCount`` registrations.
    static let maximumSize = 512 * 1024

    /// Every registration validated for `caller`, in order; 400 naming the
    /// first broken rule and the registration's index. A batch names each
    /// image (name in its scope) once: two versions of one name in one
    /// request would leave their order to chance.
    func validated(with rules: ImageWriteRules, for caller: Caller) throws -> [RegisterImageRequest.ValidatedImage] {
        guard !images.isEmpty, images.count <= Self.maximumCount else {
            throw APIError.badRequest(
                "images: a batch holds 1 to \(Self.maximumCount) registrations (got \(images.count))",
                code: "invalid_field")
        }
        var scopes = Set<ImageScope>()
        return try images.enumerated().map { index, command in
            let image = try Self.naming(index) { try rules.validated(command, for: caller) }
            guard scopes.insert(image.scope).inserted else {
                throw APIError.badRequest(
                    "images[\(index)]: \(command.name) is already registered earlier in this batch", code: "invalid_field")
            }
            return image
        }
    }

    /// Runs `body`, naming the registration at `index` in any error it answers.
    static func naming<Result>(_ index: Int, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as APIError {
            throw APIError(status: error.status, code: error.code, message: "images[\(index)].\(error.message)")
        }
    }

    /// ``naming(_:_:)`` for an asynchronous check.
    static func naming<Result>(_ index: Int, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as APIError {
            throw APIError(status: error.status, code: error.code, message: "images[\(index)].\(error.message)")
        }
    }
}
