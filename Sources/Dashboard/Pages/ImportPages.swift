import Foundation
import Hummingbird
import RegistryAPI
import RegistryHTTP

/// Imports by download (started from the create form, ``ImagePages``),
/// and each import's page with its status (kept live by the page's script
/// through `…/status`; without a script, reloading shows it).
struct ImportPages: Sendable {
    let context: DashboardContext

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("imports/:id") { request, requestContext in
            let id = requestContext.parameters.get("id") ?? ""
            return await context.page(request) { viewer in
                let values = Self.values(try await current(id, viewer: viewer))
                return context.renderer.page("import", title: "Import", section: "images", viewer: viewer, values: values)
            }
        }
        group.get("imports/:id/status") { request, requestContext in
            let id = requestContext.parameters.get("id") ?? ""
            guard let viewer = await context.session.signedIn(request) else {
                return ImagePages.json(["error": "sign in again"], status: .unauthorized)
            }
            do {
                return ImagePages.json(Self.values(try await current(id, viewer: viewer)), status: .ok)
            } catch let failure as APIFailure {
                return ImagePages.json(["error": failure.message], status: HTTPResponse.Status(code: Int(failure.status.code)))
            } catch {
                return ImagePages.json(["error": "the registry could not be reached"], status: .badGateway)
            }
        }
    }

    /// Starts an import of the create form's `download_url` and sends the browser to its page.
    func start(_ fields: FormFields, viewer: SignedIn) async throws -> Response {
        guard let url = fields["download_url"] else {
            return context.renderer.page(
                "image-new", title: "Create an image", section: "images", viewer: viewer,
                values: ["name": fields["name"] ?? "", "namespace": fields["namespace"] ?? ""],
                flash: .error("Choose a file or give a download URL."),
                status: .badRequest)
        }
        var body: [String: any Sendable] = ["name": fields["name"] ?? "", "download_url": url]
        if let namespace = fields["namespace"] { body["namespace"] = namespace }
        if let digest = fields["sha256"] { body["sha256"] = digest }
        let answer = try await context.api.write(.POST, "/v1/imports", token: viewer.token, json: body)
        guard (200..<300).contains(answer.status.code) else {
            let failure = APIFailure(answer)
            return context.renderer.page(
                "image-new", title: "Create an image", section: "images", viewer: viewer,
                values: ["name": fields["name"] ?? "", "namespace": fields["namespace"] ?? "", "download_url": url,
                         "error": failure.message],
                status: HTTPResponse.Status(code: Int(failure.status.code)))
        }
        let started = try answer.decode(ImportResource.self)
        return PageRenderer.redirect("/ui/imports/\(started.id.uuidString.lowercased())")
    }

    private func current(_ id: String, viewer: SignedIn) async throws -> ImportResource {
        guard UUID(uuidString: id) != nil else {
            throw APIFailure(status: .notFound, code: "not_found", message: "import \(id) not found")
        }
        return try await context.api.read("/v1/imports/\(id)", token: viewer.token, as: ImportResource.self)
    }

    static func values(_ job: ImportResource) -> [String: Any] {
        var values: [String: Any] = [
            "id": job.id.uuidString.lowercased(), "status": job.status, "name": job.name,
            "namespace": Formatting.section(job.namespace), "download_url": job.downloadURL, "bytes": job.bytes,
            "received": Formatting.size(job.bytes), "attempts": job.attempts,
            "requested": Formatting.time(job.requestedAt) ?? [:], "ended": job.hasEnded,
        ]
        if let total = job.totalBytes {
            values["total_bytes"] = total
            values["total"] = Formatting.size(total)
        }
        values["error"] = job.error.map { error -> Any in ["code": error.code, "message": error.message] } ?? false
        values["image_id"] = Formatting.section(job.image?.id.uuidString.lowercased())
        if let last = job.lastError { values["last_error"] = last }
        return values
    }
}
