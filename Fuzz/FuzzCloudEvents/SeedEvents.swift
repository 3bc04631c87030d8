import Foundation
import RegistryDomain

/// Real encoded events, one of each type, for the seed corpus: what the
/// producer writes, so the fuzzer starts from records that decode.
enum SeedEvents {
    /// File names and the records to write under them.
    static func records() throws -> [(String, EncodedEvent)] {
        let alice = try Username("alice")
        let bob = try Username("bob")
        let team = try NamespacePath("team/infra")
        let digest = try SHA256Digest(hex: String(repeating: "ab", count: 32))
        let location = try ImageLocation("file:///var/lib/djinn/images/sha256/ab/abab.qcow2")
        let imageID = UUID(uuidString: "01890a5d-ac96-774b-bcce-b302099a8057")!
        let events: [(String, RegistryEvent)] = [
            ("namespace-created", .namespaceCreated(NamespaceCreated(owner: alice, path: team, visibility: .internal))),
            ("image-created", .imageCreated(ImageCreated(
                imageID: imageID, source: .custom, owner: alice, namespace: team, name: "my-image",
                driver: .qemu, location: location, sha256: digest, size: 1 << 30))),
            ("image-created-base", .imageCreated(ImageCreated(
                imageID: imageID, source: .base, owner: nil, namespace: nil, name: "debian/stable",
                driver: .qemu, location: location, sha256: digest, size: 42))),
            ("image-resolved", .imageResolved(ImageResolved(
                buildID: "4711", user: alice, namespace: "team/infra@alice", image: "my-image", driver: .qemu,
                resolution: Resolution(
                    imageID: imageID, name: "my-image", namespace: "team/infra@alice", source: .custom,
                    version: 3, sha256: digest, size: 10, location: location, verified: true)))),
            ("image-deleted", .imageDeleted(ImageDeleted(imageID: imageID))),
            ("collaborator-added", .collaboratorAdded(CollaboratorChanged(owner: alice, root: team, username: bob))),
        ]
        let time = Date(timeIntervalSince1970: 1_700_000_000.123)
        return events.map { name, event in
            let envelope = EventEnvelope(
                id: EventID.derived(from: name), source: "image-ingest", time: time, actor: alice,
                subject: "alice", requestID: "req-1", event: event)
            return (name, CloudEventsCodec.encode(envelope))
        }
    }
}
