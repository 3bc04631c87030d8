import BlobStore
import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// `PUT /v1/uploads/{id}?digest=sha256:<hex>`: the session's bytes are
/// checked as a single-request upload's are (the QCOW2 checks, the
/// whole-file check, the digest the client names and the one it announced)
/// and become an image version (`image-created`), answered as an upload
/// is: `202`, or with `?wait=true` `201` (or `200` when the bytes already
/// were the newest version). The session ends whether the bytes are
/// accepted or not; permission is asked again here, not only when it opened.
struct CompleteUpload: ImageCreation {
    struct Parsed: Sendable {
        let session: UploadSession
        let digest: SHA256Digest
    }

    let queries: any RegistryQueries
    let rules: ImageWriteRules
    let sessions: any UploadSessionStore

    static let route = "PUT /v1/uploads/{id}"

    func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed {
        let session = try await UploadSessionController.session(context, sessions: sessions, caller: caller)
        let text = try request.requiredQueryParameter("digest")
        let digest = try validated { () throws(NameError) in
            guard text.hasPrefix("sha256:") else {
                throw NameError(field: "digest", message: "must be sha256:<64 hex digits> (got \"\(text)\")")
            }
            return try SHA256Digest(hex: String(text.dropFirst(7)), field: "digest")
        }
        if let expected = session.sha256, expected != digest {
            throw APIError.badRequest(
                "digest: the session was opened for sha256:\(expected.hex), not sha256:\(digest.hex)", code: "digest_mismatch")
        }
        if let size = session.declaredSize, size != session.offset {
            throw APIError.badRequest(
                "upload \(session.id.uuidString.lowercased()) holds \(session.offset) of its \(size) bytes", code: "upload_incomplete")
        }
        return Parsed(session: session, digest: digest)
    }

    func authorize(_ parsed: Parsed, caller: Caller) async throws -> Parsed {
        try await rules.authorize(caller, toWrite: parsed.session.scope)
        return parsed
    }

    /// Checks and stores the bytes while holding the session's claim.
    func prepare(_ parsed: Parsed, request: Request, caller: Caller) async throws
        -> (RegisterImageRequest.ValidatedImage, fingerprint: [[UInt8]])
    {
        let (session, digest) = (parsed.session, parsed.digest)
        let (blobs, sessions) = (rules.blobs, self.sessions)
        // Refused, the session stays (the client may cancel it): nothing is stored.
        try await rules.quotas.admit(session.scope, bytes: session.offset, digest: digest, excludingSession: session.id)
        let stored = try await sessions.withClaim(on: session.id) { () async throws -> StoredBlob in
            let outcome: Result<StoredBlob, any Error>
            do {
                outcome = .success(try await UploadErrors.mapping {
                    try await blobs.completeSession(session.id, expecting: digest)
                })
            } catch let mismatch as DigestMismatch {
                outcome = .failure(APIError.unprocessable(mismatch.description, code: "digest_mismatch"))
            } catch {
                outcome = .failure(error)
            }
            try await sessions.delete(session.id)
            return try outcome.get()
        }
        guard let stored else {
            throw APIError.conflict("another request is writing to upload \(session.id) now", code: "upload_busy")
        }
        let image = RegisterImageRequest.ValidatedImage(
            scope: session.scope, driver: .qemu, location: stored.location, sha256: stored.digest, size: stored.size,
            verified: true)
        return (image, [Array("upload-session".utf8), Array(session.id.uuidString.utf8), Array(digest.hex.utf8)])
    }
}
