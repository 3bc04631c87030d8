import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// `POST /v1/imports`, and `POST /v1/images` with a JSON body naming a
/// `download_url` (Djinn CI's form), record `image-import-requested`; an
/// import worker (``ImportWorker``) downloads the bytes and records the
/// outcome. Answers `202` with the queued import at once; `?wait=true`
/// waits, for a bounded time, until the import has ended.
struct ImportImage: IngestCommand {
    struct Parsed: Sendable {
        let request: ImportImageRequest.ValidatedImport
        let requester: Caller
        let body: [UInt8]
    }

    let queries: any RegistryQueries
    let rules: ImageWriteRules
    let outbound: OutboundRules
    /// How long `?wait=true` waits for the import to end once it is queued.
    var waitForEnd: Duration = .seconds(60)

    static let route = "POST /v1/imports"
    static let access = CommandAccess.scope(.imageWrite, hiding: "image")

    /// Whether `request` (a `POST /v1/images`) is an import: a JSON body
    /// that names `download_url`. The body is read here, within the JSON
    /// command limit, and stays readable for the command.
    static func isImport(_ request: inout Request) async throws -> Bool {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else { return false }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: JSONBody.maximumSize)
        } catch {
            throw APIError.payloadTooLarge("a JSON command may be at most \(JSONBody.maximumSize) bytes")
        }
        struct Probe: Decodable {
            let download_url: String?
        }
        return (try? JSONDecoder().decode(Probe.self, from: body))?.download_url != nil
    }

    func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed {
        let (command, body) = try await JSONBody.decodeKeepingBytes(ImportImageRequest.self, from: request)
        return Parsed(request: try command.validated(for: caller), requester: caller, body: body)
    }

    /// Who may upload the image may import it, from an address the
    /// registry may reach, with credentials only when it can seal them.
    func authorize(_ parsed: Parsed, caller: Caller) async throws -> Parsed {
        try await rules.authorize(caller, toWrite: parsed.request.scope)
        if parsed.request.credentials != nil, outbound.seal == nil {
            throw APIError.unprocessable(
                "this registry cannot keep download credentials: its operator has not set IMAGE_REGISTRY_WEBHOOK_KEY",
                code: "webhook_key_missing")
        }
        do {
            try await outbound.addresses.check(parsed.request.url.url)
        } catch {
            throw APIError.unprocessable("download_url: \(error.description)", code: "forbidden_address")
        }
        return parsed
    }

    /// A scope already at its quota refuses the import before it is queued.
    func prepare(_ parsed: Parsed, request: Request, caller: Caller) async throws -> (Parsed, fingerprint: [[UInt8]]) {
        try await rules.quotas.admit(parsed.request.scope, bytes: 0, digest: parsed.request.sha256)
        return (parsed, [parsed.body])
    }

    func event(for parsed: Parsed, caller: Caller, key: IdempotencyKey?) throws -> (RegistryEvent, subject: String) {
        let request = parsed.request
        let requested = ImageImportRequested(
            importID: key?.id(of: "import") ?? EventID.make(), scope: request.scope, url: request.url,
            sealedCredentials: request.credentials.flatMap { outbound.seal?.seal($0.joined) }, sha256: request.sha256)
        return (.imageImportRequested(requested), request.scope.subject)
    }

    /// `202` with the import, queued.
    func accepted(_ recorded: RecordedEvent, of parsed: Parsed) -> (ImportResource, HTTPResponse.Status)? {
        guard case .imageImportRequested(let requested) = recorded.event else { return nil }
        let record = ImportRecord(
            request: requested, requestedAt: Date(), requestedBy: parsed.requester.username.value,
            requestedRole: ActorRole(parsed.requester.viewer), status: .queued)
        return (ImportResource(record, image: nil), .accepted)
    }

    /// The import once it has ended (`200`), or as it is when the wait runs
    /// out (`202`).
    func outcome(of parsed: Parsed, recorded: RecordedEvent) async throws -> (ImportResource, HTTPResponse.Status)? {
        guard case .imageImportRequested(let requested) = recorded.event,
            let record = try await queries.importRecord(requested.importID, waitingUpTo: waitForEnd)
        else { return nil }
        var image: ImageRecord?
        if let id = record.imageID { image = try await queries.image(id: id) }
        return (ImportResource(record, image: image), record.status == .queued ? .accepted : .ok)
    }
}
