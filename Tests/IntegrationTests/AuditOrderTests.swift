import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryHTTP
import RegistryTesting
import Testing

/// The audit trail follows the log, whatever the event ids look like.
@Suite("The audit trail in log order")
struct AuditOrderTests {
    @Test("registrations with and without Idempotency-Key come back in log order; a cursor sees later events")
    func logOrder() async throws {
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        try await RegistryServices.fresh().run { ingest, projector in
            let held = try await HeldImages.upload(0x91, to: ingest, token: alice)
            func register(_ index: Int) async throws -> String {
                // Every second registration derives its event id from a key:
                // a hash, which sorts anywhere.
                let key: HTTPFields = index % 2 == 1 ? [HTTPField.Name("Idempotency-Key")!: "image-\(index)"] : [:]
                let answer = try await ingest.call(
                    .post, "/v1/images", token: alice, json: held.image.registration(name: "image\(index)"),
                    headers: key)
                #expect(answer.status == .accepted)
                return try #require(answer.string("event", "position"))
            }
            func page(_ cursor: String?, after position: String) async throws -> (positions: [String], next: String?) {
                let query = "/v1/audit?type=image-created&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let answer = try await projector.call(.get, query, token: alice, headers: [.registryPosition: position])
                let items = try #require(answer["items"] as? [[String: Any]], "\(answer.status) \(answer.body)")
                return (items.compactMap { $0["position"] as? String }, answer.string("next_cursor"))
            }

            // The upload and five registrations: six events, three full pages.
            var positions = [held.position]
            for index in 0..<5 { positions.append(try await register(index)) }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let next = try await page(cursor, after: positions.last!)
                seen += next.positions
                cursor = next.next
            } while cursor != nil && seen.count < positions.count
            #expect(seen == positions, "the upload and the six registrations in log order")

            for index in 5..<8 { positions.append(try await register(index)) }
            while let current = cursor {
                let next = try await page(current, after: positions.last!)
                seen += next.positions
                cursor = next.next
            }
            #expect(seen == positions, "following the cursor finds every later event, in order")
        }
    }
}
