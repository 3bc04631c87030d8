import Foundation
import Hummingbird
import RegistryHTTP

/// `GET /ui/static/{file}`: the dashboard's one style sheet and one
/// script, read from the module's resources once, at start.
struct StaticFiles: Sendable {
    static let files: [String: (contentType: String, body: String)] = {
        var files: [String: (String, String)] = [:]
        for (name, type) in [("dashboard.css", "text/css"), ("dashboard.js", "text/javascript")] {
            if let url = Bundle.module.resourceURL?.appendingPathComponent("static/\(name)"),
                let text = try? String(contentsOf: url, encoding: .utf8)
            {
                files[name] = ("\(type); charset=utf-8", text)
            }
        }
        return files
    }()

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("static/:file") { _, context -> Response in
            guard let name = context.parameters.get("file"), let file = Self.files[name] else {
                return Response(status: .notFound)
            }
            var headers = PageRenderer.securityHeaders(contentType: file.contentType)
            headers[.cacheControl] = "public, max-age=300"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: file.body)))
        }
    }
}
