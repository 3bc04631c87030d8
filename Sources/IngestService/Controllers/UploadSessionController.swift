import BlobStore
import Foundation
import HTTPTypes
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// Resumable uploads, in the manner of the OCI distribution protocol's
/// upload sessions: `POST /v1/uploads` opens a session, `PATCH
/// /v1/uploads/{id}` appends a chunk at the offset its `Content-Range`
/// names, `PUT /v1/uploads/{id}?digest=sha256:…` completes it (every check
/// of a single-request upload, then `image-created`), `DELETE` cancels it.
/// How far a session got is the projector's `GET`/`HEAD` (the balancer
/// sends reads there). The state is on the blob volume and in PostgreSQL,
/// so a session goes on from any replica; one request writes to it at a
/// time (409 otherwise). Only its creator (and administrators) see it.
struct UploadSessionController: Sendable {
    let recorder: CommandRecorder
    let queries: any RegistryQueries
    let rules: ImageWriteRules
    let sessions: any UploadSessionStore
    let lifetime: Duration

    var blobs: FileBlobStore { rules.blobs }

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("uploads", use: open)
        group.patch("uploads/:id", use: append)
        group.put("uploads/:id") { request, context in
            try await recorder.handle(
                CompleteUpload(queries: queries, rules: rules, sessions: sessions), request: request, context: context)
        }
        group.delete("uploads/:id", use: cancel)
    }

    /// `201` with the new session and its `Location`.
    @Sendable func open(request: Request, context: RegistryRequestContext) async throws -> EditedResponse<UploadSessionResource> {
        let caller = try context.requireCaller(with: .imageWrite, hiding: "image")
        let command = try await JSONBody.decode(CreateUploadRequest.self, from: request)
        let (scope, sha256) = try validated { () throws(NameError) in
            (try RegisterImageRequest.scope(name: command.name, namespace: command.namespace, source: command.source,
                                            caller: caller),
             try command.sha256.map { text throws(NameError) in try SHA256Digest(hex: text) })
        }
        if let size = command.size {
            guard size > 0 else { throw APIError.badRequest("size: must be a positive number of bytes", code: "invalid_field") }
            guard size <= blobs.maximumSize else {
                throw APIError.payloadTooLarge("an image may be at most \(blobs.maximumSize) bytes")
            }
        }
        try await rules.authorize(caller, toWrite: scope)
        // A declared size is held against the quotas while the session is open.
        try await rules.quotas.admit(scope, bytes: command.size ?? 0, digest: sha256)
        let session = UploadSession(
            id: EventID.make(), createdBy: caller.username, createdRole: ActorRole(caller.viewer), scope: scope,
            sha256: sha256, declaredSize: command.size)
        try await sessions.create(session)
        let resource = UploadSessionResource(session, lifetime: lifetime)
        return EditedResponse(status: .created, headers: resource.progressHeaders, response: resource)
    }

    /// `202` with how far the session got, once the chunk is durable. A
    /// chunk cut off keeps the bytes that arrived: the session's offset
    /// (`GET` it) says where to go on.
    @Sendable func append(request: Request, context: RegistryRequestContext) async throws
        -> EditedResponse<UploadSessionResource>
    {
        let caller = try context.requireCaller(with: .imageWrite, hiding: "image")
        let id = try await UploadSessionController.session(context, sessions: sessions, caller: caller).id
        let range = try ChunkRange(request.headers[.contentRange])
        let stored = try await sessions.withClaim(on: id) { () async throws -> UploadSession in
            guard var session = try await sessions.session(id) else { throw APIError.notFound("upload \(id) not found") }
            guard range.start == session.offset else { throw Self.rangeMismatch(session, lifetime: lifetime) }
            var file = try await blobs.openSession(id, length: session.offset)
            do {
                for try await chunk in request.body {
                    let after = file.length + Int64(chunk.readableBytes)
                    if let size = session.declaredSize, after > size {
                        throw APIError.payloadTooLarge("the upload announced \(size) bytes; more arrived")
                    }
                    if let end = range.end, after > end + 1 {
                        throw APIError.badRequest("the chunk holds more bytes than its Content-Range", code: "range_mismatch")
                    }
                    try await file.append(chunk)
                }
                session.offset = try await file.flush()
            } catch {
                // What arrived whole stays; the client resumes after it.
                session.offset = (try? await file.flush()) ?? session.offset
                await file.close()
                try await sessions.advance(id, to: session.offset, headerChecked: session.headerChecked)
                try await Self.refuseIfRejected(error, session: session, sessions: sessions, blobs: blobs)
                throw error
            }
            await file.close()
            if !session.headerChecked, session.offset >= Int64(QCOW2Validator.prefixLength) {
                let prefix = try await blobs.sessionPrefix(id, count: QCOW2Validator.prefixLength)
                let problem: QCOW2ValidationError?
                do throws(QCOW2ValidationError) {
                    _ = try blobs.validator.validateHeader(prefix)
                    problem = nil
                } catch {
                    problem = error
                }
                if let problem {
                    try await Self.discard(session, sessions: sessions, blobs: blobs)
                    throw APIError.invalidImage(problem.message)
                }
                session.headerChecked = true
            }
            try await sessions.advance(id, to: session.offset, headerChecked: session.headerChecked)
            return session
        }
        guard let stored else {
            throw APIError.conflict("another request is writing to upload \(id) now", code: "upload_busy")
        }
        let resource = UploadSessionResource(stored, lifetime: lifetime)
        return EditedResponse(status: .accepted, headers: resource.progressHeaders, response: resource)
    }

    /// `204`: the session and its bytes are gone.
    @Sendable func cancel(request: Request, context: RegistryRequestContext) async throws -> Response {
        let caller = try context.requireCaller(with: .imageWrite, hiding: "image")
        let session = try await UploadSessionController.session(context, sessions: sessions, caller: caller)
        let done: Void? = try await sessions.withClaim(on: session.id) {
            try await Self.discard(session, sessions: sessions, blobs: blobs)
        }
        guard done != nil else {
            throw APIError.conflict("another request is writing to upload \(session.id) now", code: "upload_busy")
        }
        return Response(status: .noContent)
    }

    /// The route's session when `caller` may see it; 404 otherwise.
    static func session(_ context: RegistryRequestContext, sessions: any UploadSessionStore, caller: Caller) async throws
        -> UploadSession
    {
        let idText = try context.parameters.require("id")
        guard let id = UUID(uuidString: idText), let session = try await sessions.session(id),
            session.belongs(to: caller.viewer)
        else {
            throw APIError.notFound("upload \(idText) not found")
        }
        return session
    }

    static func rangeMismatch(_ session: UploadSession, lifetime: Duration) -> APIError {
        var error = APIError(
            status: .rangeNotSatisfiable, code: "range_mismatch",
            message: "upload \(session.id.uuidString.lowercased()) holds \(session.offset) bytes: send the chunk that starts at byte \(session.offset)")
        error.headers = UploadSessionResource(session, lifetime: lifetime).progressHeaders
        return error
    }

    /// A chunk the blob store refused ends the session: 413 past the size
    /// limit (or the announced size).
    private static func refuseIfRejected(
        _ error: any Error, session: UploadSession, sessions: any UploadSessionStore, blobs: FileBlobStore
    ) async throws {
        switch error {
        case UploadRejection.tooLarge(let limit):
            try await discard(session, sessions: sessions, blobs: blobs)
            throw APIError.payloadTooLarge("an image may be at most \(limit) bytes")
        case let refusal as APIError where refusal.status == .contentTooLarge:
            try await discard(session, sessions: sessions, blobs: blobs)
        default:
            return
        }
    }

    static func discard(_ session: UploadSession, sessions: any UploadSessionStore, blobs: FileBlobStore) async throws {
        await blobs.removeSession(session.id)
        try await sessions.delete(session.id)
    }
}

/// A chunk's `Content-Range`: `bytes start-end/total`, `bytes start-end/*`
/// or the OCI form `start-end`; without one, a chunk at offset 0.
struct ChunkRange: Equatable {
    let start: Int64
    let end: Int64?

    init(_ header: String?) throws(APIError) {
        guard let header else {
            start = 0
            end = nil
            return
        }
        var text = Substring(header)
        if text.hasPrefix("bytes ") { text = text.dropFirst(6) }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        let bounds = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let digits = { (part: Substring) in !part.isEmpty && part.utf8.allSatisfy { (0x30...0x39).contains($0) } }
        guard bounds.count == 2, digits(bounds[0]), bounds[1].isEmpty || digits(bounds[1]),
            let start = Int64(bounds[0]), bounds[1].isEmpty || Int64(bounds[1]).map({ $0 >= start }) == true
        else {
            throw APIError.badRequest(
                "Content-Range must be \"bytes start-end/total\" or \"start-end\" (got \"\(header)\")", code: "invalid_range")
        }
        self.start = start
        end = bounds[1].isEmpty ? nil : Int64(bounds[1])
    }
}
