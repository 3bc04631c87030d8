import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RegistryAuth
import RegistryDomain
import RegistryTesting
import Testing

/// Resumable upload sessions on the fakes: chunks at the session's offset,
/// completion with every upload check, and the hostile requests a session
/// must survive (wrong offsets, other users, bad headers, wrong digests,
/// a second writer), none of which stores or records anything.
@Suite struct UploadSessionRouteTests {
    static func open(_ ingest: some TestClientProtocol, _ token: String, _ body: String) async throws -> JSONAnswer {
        try await ingest.call(.post, "/v1/uploads", token: token, json: body)
    }

    static func patch(
        _ ingest: some TestClientProtocol, _ id: String, _ token: String, _ bytes: some Collection<UInt8>, from start: Int
    ) async throws -> JSONAnswer {
        try await ingest.upload(
            Array(bytes), "/v1/uploads/\(id)", method: .patch, token: token, contentType: "application/octet-stream",
            headers: [.contentRange: "bytes \(start)-\(start + bytes.count - 1)/*"])
    }

    @Test func chunksAtTheOffsetCompleteIntoAnImage() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        let bytes = Fixture.small.bytes
        try await registry.withServices { ingest, projector in
            let opened = try await Self.open(
                ingest, alice, #"{"name": "chunked", "sha256": "\#(Fixture.small.sha256)", "size": \#(bytes.count)}"#)
            #expect(opened.status == .created, "\(opened.body)")
            let id = try #require(opened.string("id"))
            #expect(opened.headers[.location] == "/v1/uploads/\(id.lowercased())")
            #expect(opened["offset"] as? Int == 0)

            let half = bytes.count / 2
            let first = try await Self.patch(ingest, id, alice, bytes[..<half], from: 0)
            #expect(first.status == .accepted, "\(first.body)")
            #expect(first.headers[HTTPField.Name("Upload-Offset")!] == String(half))
            #expect(first.headers[.range] == "0-\(half - 1)")
            // A chunk that does not start at the offset: 416, with the offset.
            let wrong = try await Self.patch(ingest, id, alice, bytes[half...], from: half + 1)
            #expect(wrong.status == .rangeNotSatisfiable)
            #expect(wrong.headers[HTTPField.Name("Upload-Offset")!] == String(half))
            let shown = try await projector.call(.get, "/v1/uploads/\(id)", token: alice)
            #expect(shown["offset"] as? Int == half)
            let rest = try await Self.patch(ingest, id, alice, bytes[half...], from: half)
            #expect(rest["offset"] as? Int == bytes.count)

            let done = try await ingest.call(
                .put, "/v1/uploads/\(id)?digest=sha256:\(Fixture.small.sha256)&wait=true", token: alice)
            #expect(done.status == .created, "\(done.body)")
            #expect(done["sha256"] as? String == Fixture.small.sha256)
            #expect(done["verified"] as? Bool == true)
            #expect(try await projector.call(.get, "/v1/uploads/\(id)", token: alice).status == .notFound)
            #expect(registry.uploadSessions.all.isEmpty)
        }
        #expect(registry.log.events.map(\.type) == [.imageCreated])
        #expect(try registry.storedFiles().filter { $0.hasPrefix("uploads/") }.isEmpty)
    }

    @Test func hostileRequestsStoreAndRecordNothing() async throws {
        let registry = try await FakeRegistry()
        let (alice, bob) = (try await registry.token("alice"), try await registry.token("bob"))
        let bytes = Fixture.small.bytes
        try await registry.withServices { ingest, projector in
            // Refused when opened: too large, bad fields, another user's namespace, no write scope.
            #expect(try await Self.open(ingest, alice, #"{"name": "x", "size": \#(1 << 40)}"#).status == .contentTooLarge)
            #expect(try await Self.open(ingest, alice, #"{"name": "x", "size": 0}"#).status == .badRequest)
            #expect(try await Self.open(ingest, alice, #"{"name": "bad name"}"#).status == .badRequest)
            #expect(try await Self.open(ingest, alice, #"{"name": "x", "sha256": "zz"}"#).status == .badRequest)
            #expect(try await Self.open(ingest, bob, #"{"name": "x", "namespace": "team@alice"}"#).status == .notFound)
            let reader = try await registry.token("carol", [.imageRead])
            #expect(try await Self.open(ingest, reader, #"{"name": "x"}"#).status == .notFound)

            let id = try #require(try await Self.open(ingest, alice, #"{"name": "x"}"#).string("id"))
            // Another user cannot see, write, complete or cancel it.
            #expect(try await projector.call(.get, "/v1/uploads/\(id)", token: bob).status == .notFound)
            #expect(try await Self.patch(ingest, id, bob, bytes, from: 0).status == .notFound)
            #expect(try await ingest.call(.put, "/v1/uploads/\(id)?digest=sha256:\(Fixture.small.sha256)", token: bob).status
                == .notFound)
            #expect(try await ingest.call(.delete, "/v1/uploads/\(id)", token: bob).status == .notFound)
            // Malformed ranges, and a chunk longer than its range.
            for range in ["bytes -1-5/*", "bytes a-b/*", "bytes 5-1/*", "items 0-1"] {
                let answer = try await ingest.upload(
                    bytes, "/v1/uploads/\(id)", method: .patch, token: alice, contentType: "application/octet-stream",
                    headers: [.contentRange: range])
                #expect(answer.status == .badRequest, "\(range)")
            }
            let tooLong = try await ingest.upload(
                bytes, "/v1/uploads/\(id)", method: .patch, token: alice, contentType: "application/octet-stream",
                headers: [.contentRange: "bytes 0-9/*"])
            #expect(tooLong.status == .badRequest)
            // A second writer at the same time is told so.
            #expect(registry.uploadSessions.hold(try #require(UUID(uuidString: id))))
            #expect(try await Self.patch(ingest, id, alice, bytes, from: 0).status == .conflict)
        }
        #expect(registry.log.events.isEmpty)
    }

    @Test func badBytesEndTheSession() async throws {
        let registry = try await FakeRegistry(maximumUploadBytes: 8 << 20)
        let alice = try await registry.token("alice")
        try await registry.withServices { ingest, projector in
            // A version 2 header: refused as soon as the header's 2 MiB are in.
            let v2 = try #require(try await Self.open(ingest, alice, #"{"name": "old"}"#).string("id"))
            let padded = Fixture.v2.bytes + [UInt8](repeating: 0, count: 2 << 20)
            let refused = try await Self.patch(ingest, v2, alice, padded, from: 0)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorCode == "invalid_image")
            #expect(refused.errorMessage?.contains("version 2") == true)
            #expect(try await projector.call(.get, "/v1/uploads/\(v2)", token: alice).status == .notFound)
            // A small file's header is checked when it completes.
            let small = try #require(try await Self.open(ingest, alice, #"{"name": "old"}"#).string("id"))
            #expect(try await Self.patch(ingest, small, alice, Fixture.v2.bytes, from: 0).status == .accepted)
            let completed = try await ingest.call(.put, "/v1/uploads/\(small)?digest=sha256:\(Fixture.v2.sha256)", token: alice)
            #expect(completed.status == .unprocessableContent)
            #expect(completed.errorCode == "invalid_image")
            #expect(try await projector.call(.get, "/v1/uploads/\(small)", token: alice).status == .notFound)

            // Another digest than the bytes have: refused at completion, and the session ends.
            let other = try #require(try await Self.open(ingest, alice, #"{"name": "other"}"#).string("id"))
            _ = try await Self.patch(ingest, other, alice, Fixture.small.bytes, from: 0)
            let mismatch = try await ingest.call(.put, "/v1/uploads/\(other)?digest=sha256:\(Fixture.other.sha256)", token: alice)
            #expect(mismatch.status == .unprocessableContent)
            #expect(mismatch.errorCode == "digest_mismatch")
            #expect(try await projector.call(.get, "/v1/uploads/\(other)", token: alice).status == .notFound)

            // A digest other than the one the session was opened for, and an incomplete upload.
            let announced = try #require(try await Self.open(
                ingest, alice, #"{"name": "n", "sha256": "\#(Fixture.small.sha256)", "size": \#(Fixture.small.bytes.count)}"#
            ).string("id"))
            #expect(try await ingest.call(.put, "/v1/uploads/\(announced)?digest=sha256:\(Fixture.small.sha256)", token: alice)
                .errorCode == "upload_incomplete")
            #expect(try await ingest.call(.put, "/v1/uploads/\(announced)?digest=sha256:\(Fixture.other.sha256)", token: alice)
                .errorCode == "digest_mismatch")
            #expect(try await ingest.call(.put, "/v1/uploads/\(announced)?digest=\(Fixture.small.sha256)", token: alice)
                .status == .badRequest)
            // More than announced: 413, and the session ends.
            let over = try await Self.patch(ingest, announced, alice, Fixture.small.bytes + [0], from: 0)
            #expect(over.status == .contentTooLarge)
            #expect(try await projector.call(.get, "/v1/uploads/\(announced)", token: alice).status == .notFound)

            // Cancelled: gone, with its bytes.
            let cancelled = try #require(try await Self.open(ingest, alice, #"{"name": "c"}"#).string("id"))
            _ = try await Self.patch(ingest, cancelled, alice, Fixture.small.bytes.prefix(100), from: 0)
            #expect(try await ingest.call(.delete, "/v1/uploads/\(cancelled)", token: alice).status == .noContent)
            #expect(try await projector.call(.get, "/v1/uploads/\(cancelled)", token: alice).status == .notFound)
        }
        #expect(registry.log.events.isEmpty)
        #expect(try registry.storedFiles().isEmpty)
    }
}
