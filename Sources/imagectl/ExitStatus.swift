import ArgumentParser
import Foundation

/// The exit statuses scripts can rely on (README, "imagectl"):
///
/// | status | meaning |
/// |---|---|
/// | 0 | done |
/// | 1 | usage: a flag, an argument or a request the registry found malformed |
/// | 2 | not found (or not visible to the caller) |
/// | 3 | refused: no or a rejected token, no permission, a conflict, too large |
/// | 4 | an invalid image (not an acceptable QCOW2 v3 file, or not the digest named) |
/// | 75 | a temporary failure: the registry unreachable or unavailable (503); try again |
enum ExitStatus: Int32 {
    case success = 0
    case usage = 1
    case notFound = 2
    case refused = 3
    case invalidImage = 4
    case temporary = 75

    /// The status of an answer with HTTP status `status` and error `code`.
    init(httpStatus status: Int, code: String?) {
        switch status {
        case 404: self = .notFound
        case 422 where ["invalid_image", "digest_mismatch"].contains(code ?? ""): self = .invalidImage
        case 401, 403, 409, 410, 413, 416, 422: self = .refused
        case 408, 429, 502, 503, 504: self = .temporary
        default: self = .usage
        }
    }

    /// What to tell the user to do, after the registry's own message.
    static func advice(httpStatus status: Int) -> String? {
        switch status {
        case 401: "pass a valid token with --token or IMAGE_REGISTRY_TOKEN"
        case 404: "check the name or id; what you may not see is not found"
        case 503, 502, 504: "the registry is unavailable for now: try again shortly"
        default: nil
        }
    }
}
