import Foundation
import HTTPTypes
import RegistryAPI
import RegistryDomain

/// What a resolution answers about a version's lifecycle, the same for
/// `GET /v1/resolve` and `POST /v1/resolutions`: a revoked version is
/// refused with `410 Gone` and the reason; a deprecated one is answered,
/// with a `Warning` header (RFC 9111 §5.5, code 299) that says so.
public enum ResolutionOutcome {
    /// Why a build may not boot `resolution` at `now`: its revocation is in
    /// effect. This text is what `image-resolved` records as the refusal.
    public static func refusalReason(of resolution: Resolution, at now: Date = Date()) -> String? {
        guard let revocation = resolution.refusal(at: now) else { return nil }
        return "\(subject(name: resolution.name, namespace: resolution.namespace, version: resolution.version, sha256: resolution.sha256.hex)) was revoked: \(revocation.reason)"
    }

    /// The `410` of a refused resolution.
    public static func gone(_ reason: String) -> APIError {
        APIError(status: .gone, code: "revoked", message: reason)
    }

    /// The `Warning` header for a deprecated version.
    public static func warningHeaders(for resolution: ResolutionResource) -> HTTPFields {
        guard let deprecation = resolution.deprecation else { return [:] }
        var text = subject(
            name: resolution.name, namespace: resolution.namespace, version: resolution.version, sha256: resolution.sha256)
            + " is deprecated: \(deprecation.reason)"
        if let replacement = deprecation.replacement { text += "; use \(replacement) instead" }
        let quoted = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return [.warning: "299 image-registry \"\(quoted)\""]
    }

    private static func subject(name: String, namespace: String?, version: Int, sha256: String) -> String {
        let place = namespace.map { " in \($0)" } ?? ""
        return "image \(name)\(place) version \(version) (sha256:\(sha256))"
    }
}
