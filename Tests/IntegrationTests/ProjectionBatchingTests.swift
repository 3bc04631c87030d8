import Foundation
import PostgresNIO
import ReadModel
import RegistryDomain
import Testing

/// The projection writes runs of events with multi-row statements; these
/// tests check that how records are split into batches never shows in the
/// read model.
@Suite("Projection batching")
struct ProjectionBatchingTests {
    static let alice = try! Username("alice")
    static let bob = try! Username("bob")

    @Test("one record per batch, all in one batch and batches of three give the same read model")
    func batchSplitsAgree() async throws {
        let records = Self.records()
        let oneByOne = try await project(records, batchSize: 1)
        #expect(try await project(records, batchSize: records.count) == oneByOne)
        #expect(try await project(records, batchSize: 3) == oneByOne)
    }

    @Test("first mentions create namespaces, versions follow log order, later events see earlier ones")
    func foldInOneBatch() async throws {
        let url = try await TestEnvironment.freshDatabase()
        try await apply(Self.records(), batchSize: Self.records().count, to: url)
        let (namespaces, images, collaborators) = try await withPostgres(url: url) { client in
            var namespaces: [String] = []
            for try await row in try await client.query(
                "SELECT owner || ':' || path || '=' || visibility FROM namespaces ORDER BY owner, path"
            ).decode(String.self) { namespaces.append(row) }
            var images: [String] = []
            for try await row in try await client.query(
                """
                SELECT concat_ws(':', coalesce(owner, '-'), coalesce(namespace_path, '-'), name, version,
                                 CASE WHEN deleted_at IS NULL THEN 'live' ELSE 'deleted' END)
                FROM images ORDER BY owner NULLS FIRST, namespace_path NULLS FIRST, name, version
                """
            ).decode(String.self) { images.append(row) }
            var collaborators: [String] = []
            for try await row in try await client.query("SELECT username FROM collaborators").decode(String.self) {
                collaborators.append(row)
            }
            return (namespaces, images, collaborators)
        }
        #expect(namespaces == [
            "alice:team=internal", "alice:team/infra=internal", "alice:team/infra/ci=internal",
            "bob:lab=private", "bob:lab/gpu=private", "bob:solo=private",
        ])
        #expect(images == [
            "-:-:debian:1:live", "-:-:debian:2:live",
            "alice:-:scratch:1:live", "alice:team:bobs:1:live",
            "alice:team/infra/ci:runner:1:live", "alice:team/infra/ci:runner:2:deleted",
            "alice:team/infra/ci:runner:3:live",
            "bob:lab/gpu:cuda:1:live", "bob:solo:tool:1:live",
        ])
        #expect(collaborators == ["bob"])
    }

    /// Applies `records` to a fresh read model in batches of `batchSize`
    /// and returns what it holds.
    private func project(_ records: [LogRecord], batchSize: Int) async throws -> ReadModelSnapshot {
        let url = try await TestEnvironment.freshDatabase()
        try await apply(records, batchSize: batchSize, to: url)
        return try await ReadModelSnapshot.read(from: url)
    }

    private func apply(_ records: [LogRecord], batchSize: Int, to url: String) async throws {
        try await withPostgres(url: url) { client in
            try await MigrationRunner(directory: TestEnvironment.migrationsDirectory).run(
                on: client, logger: TestEnvironment.logger)
            let store = PostgresProjectionStore(client: client, logger: TestEnvironment.logger)
            for start in stride(from: 0, to: records.count, by: batchSize) {
                _ = try await store.apply(Array(records[start..<min(start + batchSize, records.count)]), partition: 0)
            }
        }
    }

    /// One partition's records, with every case where order matters: an
    /// image's namespace created before the event that names it with a
    /// visibility, visibility inherited from a parent created in the same
    /// run, versions of one name across runs, a deletion between
    /// creations, a collaborator added, removed and added again (writing
    /// while a collaborator, refused once removed), a producer retry of the
    /// same event, an image id used twice, and the newest version's bytes
    /// registered again (no new version).
    static func records() -> [LogRecord] {
        let retried = envelope(alice, .imageCreated(image("runner", owner: alice, namespace: "team/infra/ci")))
        let secondRunner = image("runner", owner: alice, namespace: "team/infra/ci")
        let secondDebian = baseImage("debian")
        let byCollaborator = EventEnvelope(source: "test", actor: bob, subject: alice.value, event: .imageCreated(
            image("bobs", owner: alice, namespace: "team")))
        let envelopes = [
            envelope(alice, .namespaceCreated(NamespaceCreated(owner: alice, path: try! NamespacePath("team"), visibility: .internal))),
            retried,
            envelope(alice, .namespaceCreated(NamespaceCreated(
                owner: alice, path: try! NamespacePath("team/infra/ci"), visibility: .public))),
            envelope(bob, .imageCreated(image("cuda", owner: bob, namespace: "lab/gpu"))),
            envelope(bob, .namespaceCreated(NamespaceCreated(owner: bob, path: try! NamespacePath("lab"), visibility: .public))),
            envelope(bob, .namespaceCreated(NamespaceCreated(owner: bob, path: try! NamespacePath("solo"), visibility: nil))),
            envelope(bob, .imageCreated(image("tool", owner: bob, namespace: "solo"))),
            envelope(alice, .imageCreated(secondRunner)),
            envelope(alice, .collaboratorAdded(CollaboratorChanged(owner: alice, root: try! NamespacePath("team"), username: bob))),
            byCollaborator,
            envelope(alice, .imageDeleted(ImageDeleted(imageID: secondRunner.imageID))),
            envelope(alice, .collaboratorRemoved(CollaboratorChanged(owner: alice, root: try! NamespacePath("team"), username: bob))),
            EventEnvelope(source: "test", actor: bob, subject: alice.value, event: .imageCreated(
                image("bobs", owner: alice, namespace: "team"))),
            retried,
            envelope(alice, .imageCreated(image("runner", owner: alice, namespace: "team/infra/ci"))),
            envelope(alice, .imageCreated(secondRunner)),
            envelope(alice, .imageResolved(ImageResolved(
                buildID: "build-1", user: alice, namespace: "team/infra/ci@alice", image: "runner", driver: .qemu,
                resolution: nil))),
            envelope(alice, .imageCreated(image("scratch", owner: alice, namespace: nil))),
            envelope(alice, .collaboratorAdded(CollaboratorChanged(owner: alice, root: try! NamespacePath("team"), username: bob))),
            baseImage("debian"),
            secondDebian,
            again(secondDebian),
        ]
        return envelopes.enumerated().map { offset, envelope in
            LogRecord(position: LogPosition(partition: 0, offset: Int64(offset)), encoded: CloudEventsCodec.encode(envelope))
        }
    }

    static func envelope(_ actor: Username, _ event: RegistryEvent) -> EventEnvelope {
        EventEnvelope(source: "test", actor: actor, subject: actor.value, event: event)
    }

    /// A base image, as an administrator adds it: keyed by ``EventEnvelope/baseImagesKey``.
    static func baseImage(_ name: String) -> EventEnvelope {
        EventEnvelope(
            source: "test", actor: alice, actorRole: .administrator, subject: EventEnvelope.baseImagesKey,
            event: .imageCreated(image(name, owner: nil, namespace: nil)))
    }

    static func image(_ name: String, owner: Username?, namespace: String?) -> ImageCreated {
        ImageCreated(
            imageID: EventID.make(), source: owner == nil ? .base : .custom, owner: owner,
            namespace: namespace.map { try! NamespacePath($0) }, name: name, driver: .qemu,
            location: try! ImageLocation("file:///var/lib/djinn/images/\(UUID().uuidString).qcow2"),
            sha256: distinctBytes(), size: 4096)
    }

    /// A digest no other image of these records has.
    static func distinctBytes() -> SHA256Digest {
        let hex = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return try! SHA256Digest(hex: hex + hex)
    }

    /// The same bytes as `envelope`'s image, registered again under a new
    /// image id by a new event.
    static func again(_ envelope: EventEnvelope) -> EventEnvelope {
        guard case .imageCreated(var image) = envelope.event else { preconditionFailure("an image-created event") }
        image.imageID = EventID.make()
        return EventEnvelope(
            source: envelope.source, actor: envelope.actor, actorRole: envelope.actorRole, subject: envelope.subject,
            event: .imageCreated(image))
    }
}
