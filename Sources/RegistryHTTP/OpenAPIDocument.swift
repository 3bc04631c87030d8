import Foundation
import Hummingbird
import ReadModel

/// Serves a service's committed OpenAPI 3.1 document at `GET /openapi.json`.
public struct OpenAPIDocument: Sendable {
    public let bytes: Data

    /// Loads the document from `bundle` (the service target's resources).
    public init(bundle: Bundle) throws {
        guard let url = bundle.url(forResource: "openapi", withExtension: "json") else {
            throw ConfigurationError("openapi.json is missing from the service's resources")
        }
        bytes = try Data(contentsOf: url)
    }

    public func addRoutes(to router: Router<RegistryRequestContext>) {
        let bytes = self.bytes
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json", .contentLength: String(bytes.count)],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
