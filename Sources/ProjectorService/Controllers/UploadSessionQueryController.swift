import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// `GET` and `HEAD /v1/uploads/{id}`: how far a resumable upload got
/// (`Upload-Offset`, and `Range: 0-<last byte>` as the OCI distribution
/// protocol has it), to its creator and administrators. Reads are the
/// projector's behind the balancer, so the session's state is read here
/// from where every ingest replica keeps it.
struct UploadSessionQueryController: Sendable {
    let sessions: any UploadSessionStore
    let lifetime: Duration

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("uploads/:id", use: show)
        group.head("uploads/:id", use: show)
    }

    @Sendable func show(request: Request, context: RegistryRequestContext) async throws -> Response {
        let idText = try context.parameters.require("id")
        let viewer = context.viewer(for: .imageWrite)
        guard let id = UUID(uuidString: idText), let session = try await sessions.session(id), session.belongs(to: viewer)
        else {
            throw APIError.notFound("upload \(idText) not found")
        }
        let resource = UploadSessionResource(session, lifetime: lifetime)
        var response = try EditedResponse(headers: resource.progressHeaders, response: resource)
            .response(from: request, context: context)
        if request.method == .head { response.body = ResponseBody() }
        return response
    }
}
