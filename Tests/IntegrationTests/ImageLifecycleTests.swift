import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryDomain
import RegistryHTTP
import RegistryTesting
import Testing

/// Deprecation and revocation against PostgreSQL and the broker: what
/// builds get, what the audit trail records, what the fold refuses, and
/// that a replay decides the same.
@Suite("Image lifecycle")
struct ImageLifecycleTests {
    @Test("revoked versions answer 410 pinned and by name (or fall back where the namespace says so), deprecated ones warn and are audited, a forged revocation is refused")
    func deprecateRevokeRestore() async throws {
        let services = try await RegistryServices.fresh()
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let scheduler = try await TestEnvironment.token("scheduler", [.imageResolve])
        let byName = "/v1/resolve?driver=qemu&image=runner&user=alice&namespace=ci@alice"

        try await services.run { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "ci"}"#)
            let first = try await HeldImages.upload(0xA1, to: ingest, token: alice, name: "runner", namespace: "ci@alice")
            let second = try await HeldImages.upload(0xA2, to: ingest, token: alice, name: "runner", namespace: "ci@alice")
            let pinned = "/v1/resolve?driver=qemu&image=runner@sha256:\(second.image.sha256)&user=alice&namespace=ci@alice"

            let deprecated = try await ingest.call(
                .post, "/v1/images/\(second.id)/deprecate?wait=true", token: alice,
                json: #"{"reason": "old kernel", "replacement": "runner-next"}"#)
            #expect(deprecated.status == .ok)
            let warned = try await projector.call(.get, byName, token: scheduler)
            #expect(warned.status == .ok)
            #expect(warned["image_id"] as? String == second.id)
            #expect(warned.headers[.warning]?.contains("old kernel; use runner-next instead") == true)
            let build = try await ingest.call(
                .post, "/v1/resolutions?wait=true", token: scheduler,
                json: #"{"build_id": "b-100", "user": "alice", "namespace": "ci@alice", "image": "runner", "driver": "qemu"}"#)
            #expect(build.status == .ok)
            #expect(build.headers[.warning] != nil)

            let revoked = try await ingest.call(
                .post, "/v1/images/\(second.id)/revoke?wait=true", token: alice, json: #"{"reason": "ships a test key"}"#)
            #expect(revoked.status == .ok)
            for uri in [byName, pinned] {
                let gone = try await projector.call(.get, uri, token: scheduler)
                #expect(gone.status == .gone, "\(uri)")
                #expect(gone.errorMessage?.contains("ships a test key") == true)
            }
            let refusedBuild = try await ingest.call(
                .post, "/v1/resolutions?wait=true", token: scheduler,
                json: #"{"build_id": "b-101", "user": "alice", "namespace": "ci@alice", "image": "runner", "driver": "qemu"}"#)
            #expect(refusedBuild.status == .gone)

            _ = try await ingest.call(
                .patch, "/v1/namespaces/alice/ci?wait=true", token: alice, json: #"{"revoked_fallback": true}"#)
            let fellBack = try await projector.call(.get, byName, token: scheduler)
            #expect(fellBack.status == .ok)
            #expect(fellBack["image_id"] as? String == first.id)
            #expect(try await projector.call(.get, pinned, token: scheduler).status == .gone)

            // bob writes a restore straight to the log: the fold refuses it.
            let forged = EventEnvelope(
                source: "test", actor: try Username("bob"), actorRole: .user, subject: "alice",
                event: .imageStatusChanged(ImageStatusChange(kind: .restored, imageID: UUID(uuidString: second.id)!)))
            try await TestEnvironment.withProducer { producer in
                try await TestEnvironment.publish([forged], with: producer, topic: services.settings.topic)
            }
            try await TestEnvironment.eventually(timeout: .seconds(30), "the forged restore is refused") {
                let audit = try await projector.call(.get, "/v1/audit?type=image-restored", token: alice)
                return (audit["items"] as? [[String: Any]] ?? []).contains {
                    ($0["id"] as? String)?.lowercased() == forged.id.uuidString.lowercased()
                        && ($0["rejected"] as? String)?.contains("may not restore") == true
                }
            }
            #expect(try await projector.call(.get, pinned, token: scheduler).status == .gone)

            // The audit trail says which build got a deprecated version and which was refused.
            let audit = try await projector.call(.get, "/v1/audit?type=image-resolved", token: alice)
            let builds = (audit["items"] as? [[String: Any]] ?? []).compactMap { $0["data"] as? [String: Any] }
            let got = try #require(builds.first { $0["build_id"] as? String == "b-100" })
            #expect(((got["resolution"] as? [String: Any])?["deprecation"] as? [String: Any])?["reason"] as? String == "old kernel")
            #expect(got["refused"] == nil)
            let refused = try #require(builds.first { $0["build_id"] as? String == "b-101" })
            #expect((refused["refused"] as? String)?.contains("ships a test key") == true)

            let restored = try await ingest.call(.post, "/v1/images/\(second.id)/restore?wait=true", token: alice)
            #expect(restored["deprecation"] == nil && restored["revocation"] == nil)
            let back = try await projector.call(.get, byName, token: scheduler)
            #expect(back["image_id"] as? String == second.id)
            #expect(back.headers[.warning] == nil)
        }

        let live = try await ReadModelSnapshot.read(from: services.settings.databaseURL)
        let replay = try await ReadModelSnapshot.cleanReplay(of: services.settings.topic, records: live.recordsSeen)
        #expect(replay == live, "a clean replay gives the same read model")
    }

    @Test("a retention dry run lists exactly what the run deletes; a version pinned by a build stays; personal images follow the default policy; the audit trail says why each went; a replay equals the live model")
    func retention() async throws {
        let services = try await RegistryServices.fresh { $0.personalRetention = RetentionPolicy(keepNewest: 1) }
        let alice = try await TestEnvironment.token("alice", GuaranteeTests.readWrite)
        let scheduler = try await TestEnvironment.token("scheduler", [.imageResolve])
        try await services.run { ingest, projector in
            _ = try await ingest.call(.post, "/v1/namespaces?wait=true", token: alice, json: #"{"path": "keep"}"#)
            var versions: [UploadedImage] = []
            for pattern: UInt8 in [0xA3, 0xA4, 0xA5, 0xA6] {
                versions.append(try await HeldImages.upload(pattern, to: ingest, token: alice, name: "tool", namespace: "keep@alice"))
            }
            let pin = try await ingest.call(
                .post, "/v1/resolutions?wait=true", token: scheduler,
                json: #"{"build_id": "b-pin", "user": "alice", "namespace": "keep@alice", "image": "tool@sha256:\#(versions[0].image.sha256)", "driver": "qemu"}"#)
            #expect(pin.status == .ok)
            _ = try await ingest.call(
                .patch, "/v1/namespaces/alice/keep?wait=true", token: alice,
                json: #"{"retention": {"keep_newest": 2, "keep_pinned_days": 30}}"#)

            let preview = try await projector.call(.get, "/v1/retention/preview?namespace=keep@alice", token: alice)
            let listed = (preview["items"] as? [[String: Any]] ?? []).compactMap { ($0["image_id"] as? String)?.lowercased() }
            #expect(listed == [versions[1].id.lowercased()], "only the second version goes: the first is pinned, the last two are the newest")
            let applied = try await ingest.call(.post, "/v1/retention?namespace=keep@alice&wait=true", token: alice)
            let removed = (applied["items"] as? [[String: Any]] ?? []).compactMap { ($0["image_id"] as? String)?.lowercased() }
            #expect(removed == listed)
            let audit = try await projector.call(.get, "/v1/audit?type=image-deleted", token: alice)
            let reasons = (audit["items"] as? [[String: Any]] ?? []).compactMap { ($0["data"] as? [String: Any])?["reason"] as? String }
            #expect(reasons.count == 1 && reasons[0].hasPrefix("retention policy: not among the newest 2"), "\(reasons)")
            let again = try await ingest.call(.post, "/v1/retention?namespace=keep@alice", token: alice)
            #expect((again["items"] as? [Any])?.isEmpty == true)

            // Personal images: the default policy keeps alice's newest "mine" only; her namespace's are not touched.
            let older = try await HeldImages.upload(0xA7, to: ingest, token: alice, name: "mine")
            try await HeldImages.upload(0xA8, to: ingest, token: alice, name: "mine")
            try await HeldImages.upload(0xA9, to: ingest, token: alice, name: "tool", namespace: "keep@alice")
            let personal = try await projector.call(.get, "/v1/retention/preview?user=alice", token: alice)
            let personalListed = (personal["items"] as? [[String: Any]] ?? []).compactMap { ($0["image_id"] as? String)?.lowercased() }
            #expect(personalListed == [older.id.lowercased()])
            let personalApplied = try await ingest.call(.post, "/v1/retention?user=alice&wait=true", token: alice)
            #expect((personalApplied["items"] as? [[String: Any]] ?? []).compactMap { ($0["image_id"] as? String)?.lowercased() } == personalListed)
            let kept = try await projector.call(.get, "/v1/images?namespace=keep@alice", token: alice)
            #expect((kept["items"] as? [Any])?.count == 4, "the namespace's versions follow its own policy")
            let newest = try await projector.call(.get, "/v1/images?namespace=keep@alice&newest=true", token: alice)
            let newestVersions = (newest["items"] as? [[String: Any]] ?? []).compactMap { $0["version"] as? Int }
            #expect(newestVersions == [5], "one image, its newest version: \(newestVersions)")
            let history = try await projector.call(.get, "/v1/images?namespace=keep@alice&deleted=true", token: alice)
            #expect((history["items"] as? [Any])?.count == 5, "the retained-away version is listed as deleted")
        }
        let live = try await ReadModelSnapshot.read(from: services.settings.databaseURL)
        let replay = try await ReadModelSnapshot.cleanReplay(of: services.settings.topic, records: live.recordsSeen)
        #expect(replay == live, "a clean replay gives the same read model")
    }
}
