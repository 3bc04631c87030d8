import Foundation
import RegistryDomain
import Testing

/// What each `image-created` of a run does, decided in log order.
@Suite("Image versioning")
struct ImageVersioningTests {
    static let alice = try! Username("alice")

    static func created(_ name: String, bytes: Character, id: UUID = UUID(), namespace: String? = nil) -> ImageCreated {
        ImageCreated(
            imageID: id, source: .custom, owner: alice, namespace: namespace.map { try! NamespacePath($0) },
            name: name, driver: .qemu, location: try! ImageLocation("file:///var/lib/djinn/images/\(name)"),
            sha256: try! SHA256Digest(hex: String(repeating: bytes, count: 64)), size: 1)
    }

    static func name(_ name: String, namespace: String = "") -> ImageVersioning.Name {
        ImageVersioning.Name(owner: "alice", namespacePath: namespace, name: name)
    }

    @Test("new names start at 1; each new digest takes the next version; the same digest again takes none")
    func versionsInOrder() {
        var versioning = ImageVersioning(stored: [:], existingIDs: [])
        let first = Self.created("tool", bytes: "a")
        #expect(versioning.decide(first) == .newVersion(1))
        #expect(versioning.decide(Self.created("tool", bytes: "a")) == .unchanged(sameAs: first.imageID))
        let second = Self.created("tool", bytes: "b")
        #expect(versioning.decide(second) == .newVersion(2))
        #expect(versioning.decide(Self.created("tool", bytes: "b")) == .unchanged(sameAs: second.imageID))
        #expect(versioning.decide(Self.created("tool", bytes: "a")) == .newVersion(3), "older bytes again are new")
        #expect(versioning.decide(Self.created("tool", bytes: "a", namespace: "team")) == .newVersion(1),
                "a namespace is another name")
        #expect(versioning.decide(Self.created("other", bytes: "a")) == .newVersion(1))
    }

    @Test("stored state decides the run's first event of a name")
    func storedState() {
        let live = UUID()
        var versioning = ImageVersioning(
            stored: [
                Self.name("tool"): .init(highestVersion: 4, newestLive: (live, String(repeating: "a", count: 64))),
                // Every version of "gone" is deleted: its bytes are new again,
                // and its numbers are never reused.
                Self.name("gone"): .init(highestVersion: 2, newestLive: nil),
            ],
            existingIDs: [])
        #expect(versioning.decide(Self.created("tool", bytes: "a")) == .unchanged(sameAs: live))
        #expect(versioning.decide(Self.created("tool", bytes: "c")) == .newVersion(5))
        #expect(versioning.decide(Self.created("gone", bytes: "a")) == .newVersion(3))
    }

    @Test("an id already stored, or earlier in the run, changes nothing")
    func existingIDs() {
        let stored = UUID()
        var versioning = ImageVersioning(stored: [:], existingIDs: [stored])
        #expect(versioning.decide(Self.created("tool", bytes: "a", id: stored)) == .existingID)
        let id = UUID()
        #expect(versioning.decide(Self.created("tool", bytes: "b", id: id)) == .newVersion(1))
        #expect(versioning.decide(Self.created("tool", bytes: "c", id: id)) == .existingID)
        #expect(versioning.decide(Self.created("tool", bytes: "c")) == .newVersion(2))
    }
}
