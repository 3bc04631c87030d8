import BlobStore
import Foundation
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// The rules every image registration follows, one image at a time or in a
/// batch: which locations it may name, whose bytes it may point at, who may
/// write where, and when it changes nothing.
struct ImageWriteRules: Sendable {
    let queries: any RegistryQueries
    let fileRoots: FileRoots
    let blobs: FileBlobStore

    /// The quotas every new version must fit.
    var quotas: QuotaRules { QuotaRules(queries: queries) }

    /// The registration's fields, validated for `caller`; 400 naming the
    /// broken rule.
    func validated(_ command: RegisterImageRequest, for caller: Caller) throws -> RegisterImageRequest.ValidatedImage {
        let image = try command.validated(for: caller, blobLocation: blobs.location(for:))
        if image.location.value.hasPrefix("file://"), fileRoots.path(of: image.location) == nil {
            throw APIError.badRequest(
                "location: file:// locations must lie inside the image store (\(fileRoots.roots.joined(separator: ", ")))",
                code: "invalid_field")
        }
        return image
    }

    /// What resolves is what the registry has verified. Anyone may register
    /// bytes the blob store holds, at their content address, when they may
    /// read an image with those bytes (or registered one); the size must be
    /// the stored size. Only an administrator may name any other location:
    /// a file inside the file roots is read and checked like an upload, and
    /// its digest and size must match; an `s3://` or `https://` location is
    /// taken on trust and recorded as unverified. 422 otherwise, recording
    /// nothing; the answer is the same whether or not the blob exists.
    func verify(_ image: RegisterImageRequest.ValidatedImage, for caller: Caller) async throws
        -> RegisterImageRequest.ValidatedImage
    {
        var image = image
        let administrator = caller.viewer.isAdministrator
        if let path = fileRoots.path(of: image.location) {
            if FileRoots([blobs.root.string]).contains(path) {
                try await verifyHeldBlob(image, path: path, caller: caller)
            } else {
                guard administrator else { throw Self.unverifiedLocation }
                try await verifyFile(image, path: path)
            }
            image.verified = true
        } else {
            guard administrator else { throw Self.unverifiedLocation }
            image.verified = false
        }
        return image
    }

    private static let unverifiedLocation = APIError.unprocessable(
        "location: only administrators may register a file the registry has not checked; upload the image, or register the sha256 of an image you can read",
        code: "unverified_location")

    private func verifyHeldBlob(_ image: RegisterImageRequest.ValidatedImage, path: String, caller: Caller)
        async throws
    {
        guard path == blobs.path(for: image.sha256).string else {
            throw APIError.unprocessable(
                "location: inside the blob store, a location must be the stored blob of sha256 \(image.sha256.hex)",
                code: "digest_mismatch")
        }
        let readable = try await caller.viewer.isAdministrator
            ? true : queries.mayRead(digest: image.sha256, viewer: caller.viewer)
        guard readable, let stored = try await blobs.retain(image.sha256) else {
            throw APIError.unprocessable(
                "sha256: the registry holds no image with sha256 \(image.sha256.hex) that you may read; upload the file",
                code: "unknown_blob")
        }
        guard stored == image.size else {
            throw APIError.unprocessable(
                "size: \(image.size) differs from the stored bytes (\(stored) bytes)", code: "size_mismatch")
        }
    }

    /// An administrator's file inside the file roots (never through a
    /// symbolic link leading out of them), read and checked like an upload.
    private func verifyFile(_ image: RegisterImageRequest.ValidatedImage, path: String) async throws {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard fileRoots.contains(resolved), FileManager.default.fileExists(atPath: resolved) else {
            throw APIError.unprocessable(
                "location: there is no file at \(image.location) inside the image store", code: "unknown_file")
        }
        let checked = try await UploadErrors.mapping { try await blobs.verifyFile(at: resolved) }
        guard checked.digest == image.sha256 else {
            throw APIError.unprocessable(
                "sha256: the file's bytes have sha256 \(checked.digest.hex), not \(image.sha256.hex)",
                code: "digest_mismatch")
        }
        guard checked.size == image.size else {
            throw APIError.unprocessable(
                "size: \(image.size) differs from the file's \(checked.size) bytes", code: "size_mismatch")
        }
    }

    /// Who may write where is ``AccessPolicy``'s to decide; 404 otherwise,
    /// so that nothing reveals what exists.
    func authorize(_ caller: Caller, toWrite scope: ImageScope) async throws {
        guard AccessPolicy.canWrite(try await queries.writeTarget(scope), viewer: caller.viewer) else {
            switch scope {
            case .base: throw APIError.notFound("base images are managed by administrators")
            case .personal: throw APIError.notFound("user not found")
            case .namespace(let namespace, _): throw APIError.notFound("namespace \(namespace) not found")
            }
        }
    }
}
