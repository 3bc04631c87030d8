import BlobStore
import Hummingbird
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// Streams a `application/x-qemu-disk` body into the blob store and turns
/// the store's refusals into answers: 413 past the size limit, 422 for an
/// image that is not a self-contained QCOW2 v3 file.
struct ImageUploader: Sendable {
    static let contentType = "application/x-qemu-disk"

    let blobs: FileBlobStore

    /// The upload's target from `?name=&namespace=&source=`; 400 naming the broken rule.
    func scope(of request: Request, caller: Caller) throws -> ImageScope {
        let name = try request.requiredQueryParameter("name")
        return try validated { () throws(NameError) in
            try RegisterImageRequest.scope(
                name: name, namespace: request.queryParameter("namespace"), source: request.queryParameter("source"),
                caller: caller)
        }
    }

    /// Stores the body for `scope`; nothing is left behind when this throws.
    /// A declared size past a quota is refused before a byte is read; an
    /// undeclared one is cut off where it passes the quota.
    func store(_ request: Request, into scope: ImageScope, quotas: QuotaRules) async throws -> StoredBlob {
        let length = request.headers[.contentLength].flatMap(Int64.init)
        if let length, length > blobs.maximumSize {
            throw APIError.payloadTooLarge("an image may be at most \(blobs.maximumSize) bytes")
        }
        let quota = try await quotas.admitUpload(into: scope, declaring: length)
        do {
            return try await UploadErrors.mapping { try await blobs.store(request.body, limit: quota?.0) }
        } catch let error as APIError where error.code == "payload_too_large" {
            guard let (remaining, standing) = quota, remaining < blobs.maximumSize else { throw error }
            throw QuotaRules.exceeded("the upload passed the \(remaining) bytes left", standing)
        }
    }
}

/// The blob store's refusals as answers: 413 past the size limit, 422 for
/// bytes that are not an acceptable image, 503 when the image check could
/// not run.
enum UploadErrors {
    static func mapping<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch UploadRejection.tooLarge(let limit) {
            throw APIError.payloadTooLarge("an image may be at most \(limit) bytes")
        } catch UploadRejection.invalidImage(let problem) {
            throw APIError.invalidImage(problem.message)
        } catch let unavailable as ImageCheckUnavailable {
            throw APIError.serviceUnavailable("the image could not be checked: \(unavailable)")
        }
    }
}
