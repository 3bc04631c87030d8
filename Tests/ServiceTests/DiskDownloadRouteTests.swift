import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryTesting
import Testing

/// `GET`/`HEAD /v1/images/{id}/disk` on the fakes, as a resuming client
/// uses it: the ETag is the digest, `Range` is honoured only while
/// `If-Range` still names it, `If-None-Match` answers 304, and RFC 9530's
/// digests describe the file and the body.
@Suite struct DiskDownloadRouteTests {
    @Test func aDownloadResumesOnlyTheVersionItStarted() async throws {
        let registry = try await FakeRegistry()
        let alice = try await registry.token("alice")
        let bytes = Fixture.small.bytes
        let digest = Array(SHA256.hash(data: bytes))
        let tag = "\"sha256:\(digest.map { String(format: "%02x", $0) }.joined())\""
        let structured = "sha-256=:\(Data(digest).base64EncodedString()):"
        try await registry.withServices { ingest, projector in
            let image = try await ingest.upload(bytes, "/v1/images?name=disk&wait=true", token: alice)
            let path = "/v1/images/\(try #require(image["id"] as? String))/disk"
            func get(_ method: HTTPRequest.Method = .get, _ fields: HTTPFields = [:]) async throws -> TestResponse {
                var headers = fields
                headers[.authorization] = "Bearer \(alice)"
                return try await projector.executeRequest(uri: path, method: method, headers: headers, body: nil)
            }
            let whole = try await get()
            #expect(whole.status == .ok)
            #expect(whole.headers[.eTag] == tag)
            #expect(whole.headers[.acceptRanges] == "bytes")
            #expect(whole.headers[HTTPField.Name("Repr-Digest")!] == structured)
            #expect(whole.headers[HTTPField.Name("Content-Digest")!] == structured)
            #expect(Array(buffer: whole.body) == bytes)

            let head = try await get(.head)
            #expect(head.status == .ok)
            #expect(head.headers[.contentLength] == String(bytes.count))
            #expect(head.body.readableBytes == 0)

            let rest = try await get(.get, [.range: "bytes=100-", .ifRange: tag])
            #expect(rest.status == .partialContent)
            #expect(rest.headers[.contentRange] == "bytes 100-\(bytes.count - 1)/\(bytes.count)")
            #expect(rest.headers[HTTPField.Name("Repr-Digest")!] == structured)
            #expect(rest.headers[HTTPField.Name("Content-Digest")!] == nil)
            #expect(Array(buffer: rest.body) == Array(bytes[100...]))

            // Another version's tag, a weak tag or a date: the whole file.
            for validator in ["\"sha256:\(String(repeating: "0", count: 64))\"", "W/\(tag)", "Tue, 01 Dec 2026 10:00:00 GMT"] {
                let fresh = try await get(.get, [.range: "bytes=100-", .ifRange: validator])
                #expect(fresh.status == .ok, "\(validator)")
                #expect(fresh.body.readableBytes == bytes.count)
            }
            for list in [tag, "\"other\", \(tag)", "W/\(tag)", "*"] {
                let cached = try await get(.get, [.ifNoneMatch: list])
                #expect(cached.status == .notModified, "\(list)")
                #expect(cached.body.readableBytes == 0)
                #expect(cached.headers[.eTag] == tag)
            }
            #expect(try await get(.get, [.ifNoneMatch: "\"other\""]).status == .ok)
            #expect(try await get(.get, [.range: "bytes=\(bytes.count)-"]).status == .rangeNotSatisfiable)
        }
    }
}
