import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import RegistryAPI
import RegistryHTTP

/// Images: the list, the create form (a streamed upload or an import by
/// URL), one version's page with its versions, builds and manifest
/// snippet, its download, and deleting, deprecating, revoking or
/// restoring it.
struct ImagePages: Sendable {
    let context: DashboardContext
    static let pageSize = 50

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("images") { request, _ in await context.page(request) { try await list(request, viewer: $0) } }
        group.get("images/new") { request, _ in
            await context.page(request) { viewer in
                context.renderer.page(
                    "image-new", title: "Create an image", section: "images", viewer: viewer,
                    values: ["namespace": request.uri.queryParameters.get("namespace") ?? ""])
            }
        }
        group.post("images") { request, _ in await context.page(request) { try await create(request, viewer: $0) } }
        group.post("images/upload") { request, _ in await upload(request) }
        group.get("images/:id") { request, requestContext in
            let id = requestContext.parameters.get("id") ?? ""
            return await context.page(request) { try await show(id, viewer: $0) }
        }
        group.get("images/:id/disk") { request, requestContext in
            let id = requestContext.parameters.get("id") ?? ""
            return await context.page(request) { try await download(id, request: request, viewer: $0) }
        }
        group.post("images/:id/:action") { request, requestContext in
            let id = requestContext.parameters.get("id") ?? ""
            let action = requestContext.parameters.get("action") ?? ""
            return await context.form(request) { viewer, fields in
                try await change(id, action: action, fields: fields, viewer: viewer)
            }
        }
    }

    private func list(_ request: Request, viewer: SignedIn) async throws -> Response {
        let query = request.uri.queryParameters
        // Each image's newest version, unless every version is asked for.
        let everyVersion = query.get("versions") == "all"
        let filter: [(String, String?)] = [
            ("namespace", query.get("namespace")), ("search", query.get("search")),
            ("versions", everyVersion ? "all" : nil),
        ]
        let page = try await context.api.read(
            "/v1/images?limit=\(Self.pageSize)" + (everyVersion ? "" : "&newest=true") + "&"
                + Formatting.queryString(Array(filter.prefix(2)) + [("cursor", query.get("cursor"))]),
            token: viewer.token, as: Page<ImageResource>.self)
        var values: [String: Any] = [
            "rows": Self.rows(page.items), "namespace": query.get("namespace") ?? "",
            "search": query.get("search") ?? "", "empty": page.items.isEmpty, "every_version": everyVersion,
        ]
        if let cursor = page.nextCursor {
            values["next"] = "/ui/images?" + Formatting.queryString(filter + [("cursor", cursor)])
        }
        return context.renderer.page("images", title: "Images", section: "images", viewer: viewer, values: values)
    }

    /// The images page's table rows (``HTMLWriter``: the page's hot path).
    static func rows(_ images: [ImageResource]) -> String {
        var writer = HTMLWriter(capacity: images.count * 700)
        for image in images {
            let id = image.id.uuidString.lowercased()
            writer.markup("<tr class=\"image\" data-id=\"")
            writer.text(id)
            writer.markup("\">\n<td class=\"name\"><a href=\"/ui/images/")
            writer.text(id)
            writer.markup("\">")
            writer.text(image.name)
            writer.markup("</a></td>\n<td class=\"namespace\">")
            writer.text(place(of: image))
            writer.markup("</td>\n<td class=\"version\">v")
            writer.text(String(image.version))
            writer.markup("</td>\n<td class=\"digest\" data-digest=\"")
            writer.text(image.sha256)
            writer.markup("\" title=\"sha256:")
            writer.text(image.sha256)
            writer.markup(" (click to copy)\"><code class=\"copy\" data-copy=\"sha256:")
            writer.text(image.sha256)
            writer.markup("\">")
            writer.text(Formatting.shortDigest(image.sha256))
            writer.markup("</code></td>\n<td class=\"size\">")
            writer.text(Formatting.size(image.size))
            writer.markup("</td>\n<td class=\"age\"><time datetime=\"")
            let exact = Formatting.exact(image.createdAt)
            writer.text(exact)
            writer.markup("\" title=\"")
            writer.text(exact)
            writer.markup("\">")
            writer.text(Formatting.age(of: image.createdAt))
            writer.markup("</time></td>\n<td class=\"state\">")
            if let deprecation = image.deprecation {
                writer.markup("<span class=\"badge warn\" title=\"")
                writer.text(deprecation.reason)
                writer.markup("\">deprecated</span>")
            }
            if let revocation = image.revocation {
                writer.markup("<span class=\"badge bad\" title=\"")
                writer.text(revocation.reason)
                writer.markup("\">revoked</span>")
            }
            writer.markup("</td>\n</tr>\n")
        }
        return writer.html
    }

    /// Where a version lives, in words: its namespace, or whose personal image it is.
    static func place(of image: ImageResource) -> String {
        image.namespace ?? (image.source == .base ? "base image" : "personal: \(image.owner ?? "")")
    }

    static func row(_ image: ImageResource) -> [String: Any] {
        var row: [String: Any] = [
            "id": image.id.uuidString.lowercased(), "name": image.name, "version": image.version,
            "namespace": place(of: image),
            "digest": image.sha256, "short_digest": Formatting.shortDigest(image.sha256),
            "size": Formatting.size(image.size), "created": Formatting.time(image.createdAt) ?? [:],
            "created_by": image.createdBy ?? "",
        ]
        // Every section key is written, true or false: see Formatting.section.
        row["deleted"] = Formatting.time(image.deletedAt) ?? false
        row["deprecated"] = image.deprecation.map { deprecation -> Any in
            ["reason": deprecation.reason, "replacement": Formatting.section(deprecation.replacement)]
        } ?? false
        row["revoked"] = image.revocation.map { revocation -> Any in
            ["reason": revocation.reason, "at": Formatting.time(revocation.effectiveAt) ?? [:]]
        } ?? false
        return row
    }

    /// Streams the posted file to ingest as a raw upload and answers the
    /// API's JSON (the page's script shows progress and the outcome).
    private func upload(_ request: Request) async -> Response {
        guard let viewer = await context.session.signedIn(request) else {
            return Self.json(["error": ["code": "unauthorized", "message": "sign in again"]], status: .unauthorized)
        }
        guard DashboardSession.matches(request.headers[HTTPField.Name("X-CSRF-Token")!], viewer.csrf) else {
            return Self.json(["error": ["code": "forbidden", "message": "reload the page and try again"]], status: .forbidden)
        }
        let query = request.uri.queryParameters
        let path = "/v1/images?" + Formatting.queryString([
            ("name", query.get("name")), ("namespace", query.get("namespace")),
        ])
        do {
            let answer = try await context.api.upload(
                path, token: viewer.token, contentType: "application/x-qemu-disk",
                length: request.headers[.contentLength].flatMap(Int.init), bytes: request.body)
            return Response(
                status: HTTPResponse.Status(code: Int(answer.status.code)),
                headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: answer.body))
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            return Self.json(
                ["error": ["code": "timeout", "message": "the registry did not answer in time"]], status: .gatewayTimeout)
        } catch {
            return Self.json(
                ["error": ["code": "unavailable", "message": "the upload did not reach the registry: \(error)"]],
                status: .badGateway)
        }
    }

    /// The create form as a browser without the page's script posts it
    /// (`multipart/form-data`): the fields before the file are read, the
    /// CSRF token checked, and the file streamed on to ingest as it
    /// arrives; without a file, the form's download URL is imported.
    private func create(_ request: Request, viewer: SignedIn) async throws -> Response {
        let form = try MultipartFormStream(request)
        var fields: [String: String] = [:]
        while let event = try await form.next() {
            switch event {
            case .field(let name, let value):
                if fields[name] == nil { fields[name] = value }
            case .fileStart(_, let filename) where !filename.isEmpty:
                guard DashboardSession.matches(fields["csrf"], viewer.csrf) else { return context.staleForm(viewer) }
                return try await uploadFile(form.fileBytes, fields: FormFields(fields), viewer: viewer)
            case .fileStart:
                for try await _ in form.fileBytes {}
            case .fileBytes, .fileEnd, .end:
                continue
            }
        }
        guard DashboardSession.matches(fields["csrf"], viewer.csrf) else { return context.staleForm(viewer) }
        return try await ImportPages(context: context).start(FormFields(fields), viewer: viewer)
    }

    private func uploadFile(
        _ bytes: MultipartFormStream.FileBytes, fields: FormFields, viewer: SignedIn
    ) async throws -> Response {
        let path = "/v1/images?" + Formatting.queryString([("name", fields["name"]), ("namespace", fields["namespace"])])
        let answer = try await context.api.upload(
            path, token: viewer.token, contentType: "application/x-qemu-disk", length: nil, bytes: bytes)
        guard (200..<300).contains(answer.status.code) else {
            let failure = APIFailure(answer)
            return context.renderer.page(
                "image-new", title: "Create an image", section: "images", viewer: viewer,
                values: ["name": fields["name"] ?? "", "namespace": fields["namespace"] ?? "", "error": failure.message],
                status: HTTPResponse.Status(code: Int(failure.status.code)))
        }
        let image = try answer.decode(ImageResource.self)
        return PageRenderer.redirect("/ui/images/\(image.id.uuidString.lowercased())")
    }

    private func show(_ id: String, viewer: SignedIn) async throws -> Response {
        guard UUID(uuidString: id) != nil else { return context.renderer.notFound("image \(id) not found", viewer: viewer) }
        let image = try await context.api.read("/v1/images/\(id)", token: viewer.token, as: ImageResource.self)
        // Every version of the name in the same place, deleted ones too, newest first.
        let siblings = try await context.api.read(
            "/v1/images?limit=100&deleted=true&"
                + Formatting.queryString([("namespace", image.namespace), ("search", image.name)]),
            token: viewer.token, as: Page<ImageResource>.self
        ).items.filter { $0.name == image.name && $0.namespace == image.namespace && $0.owner == image.owner }
        var versions = siblings.contains { $0.id == image.id } ? siblings : siblings + [image]
        versions.sort { $0.version > $1.version }
        var builds: [[String: Any]] = []
        for version in versions.prefix(20) {
            let audit = try await context.api.read(
                "/v1/audit?type=image-resolved&limit=20&image=\(version.id.uuidString.lowercased())",
                token: viewer.token, as: Page<AuditEntryResource>.self)
            for entry in audit.items where entry.rejected == nil {
                builds.append([
                    "build_id": entry.data["build_id"]?.stringValue ?? "", "user": entry.data["user"]?.stringValue ?? "",
                    "version": version.version, "when": Formatting.time(entry.time) ?? [:],
                    "refused": Formatting.section(entry.data["refused"]?.stringValue),
                ])
            }
        }
        let reference = image.namespace.map { "namespace: \($0)\n" } ?? ""
        var values = Self.row(image)
        values["versions"] = versions.map { version in
            var row = Self.row(version)
            row["current"] = version.id == image.id
            return row
        }
        values["builds"] = builds
        values["has_builds"] = !builds.isEmpty
        // The manifest's `namespace:` is a top-level field in Djinn CI, beside `driver:`.
        values["driver_snippet"] = reference + "driver:\n  type: qemu\n  image: \(image.name)\n"
        values["pin_snippet"] = reference + "driver:\n  type: qemu\n  image: \(image.name)@sha256:\(image.sha256)\n"
        values["location"] = image.location
        values["source"] = image.source.rawValue
        values["verified"] = image.verified
        // The forms are offered to those the API lets change the version for
        // certain (administrators, the owner, its creator); collaborators may
        // too, which the API decides when they use its routes or imagectl.
        values["may_change"] = viewer.isAdministrator
            || (image.source != .base && (image.owner == viewer.username || image.createdBy == viewer.username))
        return context.renderer.page(
            "image", title: "\(image.name) v\(image.version)", section: "images", viewer: viewer, values: values)
    }

    /// The disk, streamed from the projector's download route as it arrives.
    private func download(_ id: String, request: Request, viewer: SignedIn) async throws -> Response {
        guard UUID(uuidString: id) != nil else { return context.renderer.notFound("image \(id) not found", viewer: viewer) }
        var headers = HTTPHeaders()
        for name in ["Range", "If-Range", "If-None-Match"] {
            if let value = request.headers[HTTPField.Name(name)!] { headers.add(name: name, value: value) }
        }
        let response = try await context.api.stream("/v1/images/\(id)/disk", token: viewer.token, headers: headers)
        guard (200..<400).contains(response.status.code) else {
            let body = try await response.body.collect(upTo: RegistryAPIClient.maximumAnswerBytes)
            throw APIFailure(RegistryAPIClient.Answer(status: response.status, headers: response.headers, body: body))
        }
        var fields: HTTPFields = [.contentDisposition: "attachment; filename=\"\(id).qcow2\""]
        for name in ["Content-Type", "Content-Length", "Content-Range", "ETag", "Accept-Ranges", "Repr-Digest", "Location"] {
            if let value = response.headers.first(name: name) { fields[HTTPField.Name(name)!] = value }
        }
        return Response(
            status: HTTPResponse.Status(code: Int(response.status.code)), headers: fields,
            body: ResponseBody(asyncSequence: response.body))
    }

    private func change(_ id: String, action: String, fields: FormFields, viewer: SignedIn) async throws -> Response {
        guard UUID(uuidString: id) != nil else { return context.renderer.notFound("image \(id) not found", viewer: viewer) }
        switch action {
        case "delete":
            let force = fields["force"] == "true" ? "?force=true" : ""
            _ = try await context.api.write(.DELETE, "/v1/images/\(id)\(force)", token: viewer.token)
                .decode(JSONValue.self)
        case "deprecate":
            var body: [String: any Sendable] = ["reason": fields["reason"] ?? ""]
            if let replacement = fields["replacement"] { body["replacement"] = replacement }
            _ = try await context.api.write(.POST, "/v1/images/\(id)/deprecate", token: viewer.token, json: body)
                .decode(JSONValue.self)
        case "revoke":
            _ = try await context.api.write(
                .POST, "/v1/images/\(id)/revoke", token: viewer.token, json: ["reason": fields["reason"] ?? ""]
            ).decode(JSONValue.self)
        case "restore":
            _ = try await context.api.write(.POST, "/v1/images/\(id)/restore", token: viewer.token)
                .decode(JSONValue.self)
        default:
            return context.renderer.notFound("no such action", viewer: viewer)
        }
        return PageRenderer.redirect("/ui/images/\(id)")
    }

    static func json(_ object: [String: Any], status: HTTPResponse.Status) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
