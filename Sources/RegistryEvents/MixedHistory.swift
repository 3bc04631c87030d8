import Crypto
import Foundation
import RegistryDomain

/// A deterministic history that touches every rule of the fold, for
/// comparing two projections of the same log (`scripts/replay-compare`):
/// namespaces and their trees, collaborators added and removed, images
/// written by owners, collaborators and strangers (refused), the same
/// bytes registered again (no new version), deletions of earlier images,
/// events keyed by the wrong owner (refused), resolutions, and records that
/// are not events at all (dead-lettered).
struct MixedHistory {
    let owners: Int
    let names: Int
    /// Every event carries this time, so that the history is the same bytes
    /// whenever it is written.
    let time = Date(timeIntervalSince1970: 1_800_000_000)

    /// The `index`th record, as it goes to the topic.
    func record(_ index: Int) throws -> EncodedEvent {
        if index % 97 == 96 {
            return EncodedEvent(key: Array("owner\(index % owners)".utf8), headers: [], value: Array("not an event \(index)".utf8))
        }
        return CloudEventsCodec.encode(try envelope(index))
    }

    /// Records come in rounds of ten, one of each kind, all about one owner
    /// (round `r` is about owner `r mod owners`), so that each kind meets
    /// the state the earlier ones of its round made.
    private func envelope(_ index: Int) throws -> EventEnvelope {
        let round = index / 10
        let owner = try Username("owner\(round % owners)")
        let friend = try Username("owner\((round + 1) % owners)")
        let root = try NamespacePath("team\(round % 3)")
        let namespace = try NamespacePath("team\(round % 3)/sub\(round / 3 % 5)")
        let id = Self.uuid("event", index)
        func event(_ actor: Username, subject: String? = nil, _ event: RegistryEvent) -> EventEnvelope {
            EventEnvelope(id: id, source: "replay-compare", time: time, actor: actor, subject: subject ?? owner.value, event: event)
        }
        switch index % 10 {
        case 0:
            let visibility = [Visibility.public, .internal, .private, nil][round % 4]
            return event(owner, .namespaceCreated(NamespaceCreated(owner: owner, path: namespace, visibility: visibility)))
        case 1:
            return event(owner, .collaboratorAdded(CollaboratorChanged(owner: owner, root: root, username: friend)))
        case 2:
            return event(friend, .imageCreated(image(index, owner: owner, namespace: namespace)))
        case 3:
            return event(owner, .imageDeleted(ImageDeleted(imageID: Self.uuid("image", index - 1))))
        case 4:
            // The name and bytes of this owner's personal image of its previous
            // round: no new version while that one is still its newest.
            let previous = index - 10 * owners + 5
            return event(owner, .imageCreated(image(index, owner: owner, namespace: nil, as: max(previous, 0))))
        case 5:
            return event(owner, .imageResolved(ImageResolved(
                buildID: "build-\(index)", user: owner, namespace: nil, image: name(index), driver: .qemu,
                resolution: nil)))
        case 6:
            return event(owner, .collaboratorRemoved(CollaboratorChanged(owner: owner, root: root, username: friend)))
        case 7:
            let stranger = try Username("stranger\(index % 7)")
            return event(stranger, .imageCreated(image(index, owner: owner, namespace: namespace)))
        case 8:
            return event(owner, subject: friend.value, .imageCreated(image(index, owner: owner, namespace: nil)))
        default:
            return event(owner, .imageCreated(image(index, owner: owner, namespace: nil)))
        }
    }

    /// An image with an id of its own and the name and bytes of record `content`'s.
    private func image(_ index: Int, owner: Username, namespace: NamespacePath?, as content: Int? = nil) -> ImageCreated {
        let content = content ?? index
        return ImageCreated(
            imageID: Self.uuid("image", index), source: .custom, owner: owner, namespace: namespace,
            name: name(content), driver: .qemu,
            location: try! ImageLocation("file:///var/lib/djinn/images/history\(content).qcow2"),
            sha256: SHA256Digest(SHA256.hash(data: Array("bytes \(content)".utf8))), size: Int64(1024 + content))
    }

    /// The image name of record `index`: each owner cycles through ``names``.
    private func name(_ index: Int) -> String {
        "img\(index / 10 / owners % names)"
    }

    /// A UUID derived from `kind` and `index`, the same in every run.
    static func uuid(_ kind: String, _ index: Int) -> UUID {
        let digest = Array(SHA256.hash(data: Array("\(kind) \(index)".utf8)))
        return UUID(uuid: (digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
                           digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]))
    }
}
