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

    /// Stores the body; nothing is left behind when this throws.
    func store(_ request: Request) async throws -> StoredBlob {
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > blobs.maximumSize {
            throw APIError.payloadTooLarge("an image may be at most \(blobs.maximumSize) bytes")
        }
        return try await UploadErrors.mapping { try await blobs.store(request.body) }
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
