import Foundation
import HTTPTypes
import Hummingbird
import NIOFileSystem
import ReadModel
import RegistryDomain
import RegistryHTTP

/// `GET` and `HEAD /v1/images/{id}/disk`: the image's QCOW2 file, with
/// Range, If-Range, If-None-Match and RFC 9530 digests,
/// to callers who may see the image. Only files inside the registry's file
/// roots are served (symlinks resolved first); an `https://` location is a
/// redirect; anything else is not served here.
struct ImageDiskController: Sendable {
    static let contentType = "application/x-qemu-disk"

    let queries: any RegistryQueries
    let fileRoots: FileRoots
    let fileIO = FileIO()

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("images/:id/disk", use: download)
        group.head("images/:id/disk", use: download)
    }

    @Sendable func download(request: Request, context: RegistryRequestContext) async throws -> Response {
        let idText = try context.parameters.require("id")
        guard let id = UUID(uuidString: idText), let image = try await queries.image(id: id), image.deletedAt == nil,
            try await ImageVisibility(queries: queries).allows(image, to: context.viewer(for: .imageRead))
        else {
            throw APIError.notFound("image \(idText) not found")
        }
        if image.location.value.hasPrefix("https://") {
            return Response(status: .temporaryRedirect, headers: [.location: image.location.value])
        }
        guard let path = fileRoots.path(of: image.location),
            fileRoots.contains(URL(fileURLWithPath: path).resolvingSymlinksInPath().path),
            let info = try await FileSystem.shared.info(forFileAt: FilePath(path)), info.type == .regular
        else {
            throw APIError.notFound("the file of image \(idText) is not served by this registry (\(image.location))")
        }
        return try await respond(path: path, size: info.size, image: image, request: request, context: context)
    }

    /// The file's bytes, or some of them: a `Range` is honoured unless an
    /// `If-Range` names another version; `If-None-Match` with the image's
    /// `ETag` (its digest) answers 304. `Repr-Digest` (RFC 9530) is the
    /// whole file's digest, `Content-Digest` that of a whole-file body.
    private func respond(path: String, size: Int64, image: ImageRecord, request: Request, context: RegistryRequestContext)
        async throws -> Response
    {
        let tag = "\"sha256:\(image.sha256.hex)\""
        var headers: HTTPFields = [
            .contentType: Self.contentType, .acceptRanges: "bytes", .eTag: tag,
            HTTPField.Name("Repr-Digest")!: image.sha256.structuredField,
        ]
        if let wanted = request.headers[.ifNoneMatch], Self.matches(wanted, tag) {
            return Response(status: .notModified, headers: headers)
        }
        // A Range counts only while If-Range (when sent) still names this file.
        let rangeStillApplies = request.headers[.ifRange].map { $0 == tag } ?? true
        let range = rangeStillApplies ? request.headers[.range] : nil
        switch ByteRange(header: range, size: size) {
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(size)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        case .whole:
            headers[.contentLength] = String(size)
            headers[HTTPField.Name("Content-Digest")!] = image.sha256.structuredField
            let body = request.method == .head ? ResponseBody() : try await fileIO.loadFile(path: path, context: context)
            return Response(status: .ok, headers: headers, body: body)
        case .partial(let range):
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = String(range.count)
            let body = request.method == .head
                ? ResponseBody()
                : try await fileIO.loadFile(
                    path: path, range: Int(range.lowerBound)...Int(range.upperBound), context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        }
    }

    /// Whether an `If-None-Match` list names `tag` (weakly compared, as
    /// RFC 9110 says for this header) or is `*`.
    static func matches(_ list: String, _ tag: String) -> Bool {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains { candidate in
            candidate == "*" || candidate == tag || candidate == "W/" + tag
        }
    }
}
