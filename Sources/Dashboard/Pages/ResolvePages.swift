import Foundation
import Hummingbird
import RegistryAPI
import RegistryHTTP

/// What a build of user U in namespace N asking for image I would boot,
/// and which of Djinn CI's rules chose it.
struct ResolvePages: Sendable {
    let context: DashboardContext

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("resolve") { request, _ in
            await context.page(request) { viewer in
                let query = request.uri.queryParameters
                let user = query.get("user") ?? viewer.username
                var values: [String: Any] = [
                    "user": user, "namespace": query.get("namespace") ?? "", "image": query.get("image") ?? "",
                ]
                guard let image = query.get("image"), !image.isEmpty else {
                    return context.renderer.page("resolve", title: "Resolve", section: "resolve", viewer: viewer, values: values)
                }
                let namespace = query.get("namespace").flatMap { $0.isEmpty ? nil : $0 }
                let answer = try await context.api.read(
                    "/v1/resolve?driver=qemu&" + Formatting.queryString([
                        ("image", image), ("user", user), ("namespace", namespace),
                    ]), token: viewer.token)
                if (200..<300).contains(answer.status.code) {
                    let resolution = try answer.decode(ResolutionResource.self)
                    var result: [String: Any] = [
                        "image_id": resolution.imageID.uuidString.lowercased(), "name": resolution.name,
                        "version": resolution.version, "location": resolution.location, "digest": resolution.sha256,
                        "size": Formatting.size(resolution.size),
                        "rule": Self.rule(resolution, image: image, user: user, namespace: namespace),
                    ]
                    if let deprecation = resolution.deprecation {
                        result["deprecated"] = [
                            "reason": deprecation.reason, "replacement": Formatting.section(deprecation.replacement),
                        ]
                    }
                    values["resolution"] = result
                } else {
                    values["resolution_error"] = APIFailure(answer).message
                }
                return context.renderer.page("resolve", title: "Resolve", section: "resolve", viewer: viewer, values: values)
            }
        }
    }

    /// Which rule chose the version, in Djinn CI's words: a pin names one
    /// version; a namespace's own image comes first, then the user's
    /// personal image, then the base image of that name.
    static func rule(_ resolution: ResolutionResource, image: String, user: String, namespace: String?) -> String {
        if image.contains("@sha256:") {
            return "Pinned by digest: exactly version \(resolution.version) of \(resolution.name)."
        }
        switch (resolution.source, resolution.namespace) {
        case (.base, _):
            let place = namespace.map { "namespace \($0)" } ?? "\(user)'s personal images"
            return "No custom image \(image) is visible to \(user) in \(place), so the base image \(image) is used."
        case (_, let found?):
            return "The newest usable version (v\(resolution.version)) of \(image) in namespace \(found)."
        case (_, nil):
            return "No namespace was named, so \(user)'s personal image \(image), newest usable version (v\(resolution.version))."
        }
    }
}
