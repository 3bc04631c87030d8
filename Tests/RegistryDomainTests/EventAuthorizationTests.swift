import Foundation
import Testing
@testable import RegistryDomain

/// The rules the fold applies to each event at its log position.
@Suite("The fold's access rules")
struct EventAuthorizationTests {
    static let alice = try! Username("alice")
    static let bob = try! Username("bob")
    static let carol = try! Username("carol")
    static let location = try! ImageLocation("file:///var/lib/djinn/images/a.qcow2")
    static let digest = try! SHA256Digest(hex: String(repeating: "ab", count: 32))

    static func created(owner: Username?, namespace: String?) -> RegistryEvent {
        .imageCreated(ImageCreated(
            imageID: EventID.make(), source: owner == nil ? .base : .custom, owner: owner,
            namespace: namespace.map { try! NamespacePath($0) }, name: owner == nil ? "arch" : "tool",
            driver: .qemu, location: location, sha256: digest, size: 1))
    }

    static func refusal(_ event: RegistryEvent, by viewer: Viewer, subject: String = "alice",
                        collaborators: Set<Username> = [bob]) -> String? {
        AccessPolicy.refusal(ofCreating: event, subject: subject, viewer: viewer, rootCollaborators: collaborators)?
            .reason
    }

    @Test("images in a namespace: owner, collaborators of the root, administrators")
    func namespaceImages() {
        let event = Self.created(owner: Self.alice, namespace: "team/infra")
        #expect(Self.refusal(event, by: Viewer(username: Self.alice)) == nil)
        #expect(Self.refusal(event, by: Viewer(username: Self.bob)) == nil)
        #expect(Self.refusal(event, by: Viewer(username: Self.carol, isAdministrator: true)) == nil)
        #expect(Self.refusal(event, by: Viewer(username: Self.bob), collaborators: [])
            == "bob is not the owner or a collaborator of team@alice")
    }

    @Test("personal images are their owner's; base images an administrator's")
    func personalAndBase() {
        let personal = Self.created(owner: Self.alice, namespace: nil)
        #expect(Self.refusal(personal, by: Viewer(username: Self.alice)) == nil)
        #expect(Self.refusal(personal, by: Viewer(username: Self.bob)) == "bob may not add personal images of alice")
        let base = Self.created(owner: nil, namespace: nil)
        #expect(Self.refusal(base, by: Viewer(username: Self.alice), subject: EventEnvelope.baseImagesKey)
            == "only administrators add base images")
        #expect(Self.refusal(base, by: Viewer(username: Self.alice, isAdministrator: true),
                             subject: EventEnvelope.baseImagesKey) == nil)
    }

    @Test("an event keyed by someone other than the owner it changes is refused")
    func wrongKey() {
        let event = Self.created(owner: Self.alice, namespace: "team")
        #expect(Self.refusal(event, by: Viewer(username: Self.alice, isAdministrator: true), subject: "bob")
            == "the event is keyed by bob, not by alice, whose state it changes")
    }

    @Test("deletions need the image, alive, and the right to write where it is")
    func deletions() {
        let id = EventID.make()
        let image = StoredImage(owner: Self.alice, namespace: try! NamespacePath("team"), isDeleted: false)
        func refusal(_ stored: StoredImage?, _ viewer: Viewer, collaborators: Set<Username> = [Self.bob]) -> String? {
            AccessPolicy.refusal(
                ofDeleting: id, stored: stored, subject: "alice", viewer: viewer, rootCollaborators: collaborators)?
                .reason
        }
        #expect(refusal(image, Viewer(username: Self.bob)) == nil)
        #expect(refusal(image, Viewer(username: Self.carol)) == "carol may not delete image \(id.uuidString.lowercased())")
        #expect(refusal(nil, Viewer(username: Self.alice)) == "image \(id.uuidString.lowercased()) does not exist")
        var deleted = image
        deleted.isDeleted = true
        #expect(refusal(deleted, Viewer(username: Self.alice)) == "image \(id.uuidString.lowercased()) is already deleted")
    }

    @Test("collaborators are managed by the owner of an existing root")
    func collaboratorChanges() {
        let change = CollaboratorChanged(owner: Self.alice, root: try! NamespacePath("team"), username: Self.carol)
        func refusal(_ viewer: Viewer, rootExists: Bool = true) -> String? {
            AccessPolicy.refusal(ofChanging: change, rootExists: rootExists, subject: "alice", viewer: viewer)?.reason
        }
        #expect(refusal(Viewer(username: Self.alice)) == nil)
        #expect(refusal(Viewer(username: Self.bob)) == "only the owner of team@alice manages its collaborators")
        #expect(refusal(Viewer(username: Self.alice), rootExists: false) == "namespace team@alice does not exist")
    }

    @Test("a namespace is changed only by its owner or an administrator, only if it exists, keyed by its owner")
    func namespaceUpdates() {
        let update = NamespaceUpdated(
            owner: Self.alice, path: try! NamespacePath("team/infra"), visibility: .public, description: nil)
        func refusal(_ viewer: Viewer, exists: Bool = true, subject: String = "alice") -> String? {
            AccessPolicy.refusal(ofUpdating: update, exists: exists, subject: subject, viewer: viewer)?.reason
        }
        #expect(refusal(Viewer(username: Self.alice)) == nil)
        #expect(refusal(Viewer(username: Self.carol, isAdministrator: true)) == nil)
        // A collaborator (bob, say) may add to the tree but not change who sees it.
        #expect(refusal(Viewer(username: Self.bob)) == "only the owner of team/infra@alice changes it")
        #expect(refusal(Viewer(username: Self.alice), exists: false) == "namespace team/infra@alice does not exist")
        #expect(refusal(Viewer(username: Self.alice), subject: "bob")
            == "the event is keyed by bob, not by alice, whose state it changes")
    }

    @Test("a namespace is deleted only by its owner or an administrator, only if it exists, keyed by its owner")
    func namespaceDeletions() {
        let deleted = NamespaceDeleted(owner: Self.alice, path: try! NamespacePath("team/infra"))
        func refusal(_ viewer: Viewer, exists: Bool = true, subject: String = "alice") -> String? {
            AccessPolicy.refusal(ofDeleting: deleted, exists: exists, subject: subject, viewer: viewer)?.reason
        }
        #expect(refusal(Viewer(username: Self.alice)) == nil)
        #expect(refusal(Viewer(username: Self.carol, isAdministrator: true)) == nil)
        #expect(refusal(Viewer(username: Self.bob)) == "only the owner of team/infra@alice deletes it")
        #expect(refusal(Viewer(username: Self.alice), exists: false) == "namespace team/infra@alice does not exist")
        #expect(refusal(Viewer(username: Self.alice), subject: "bob")
            == "the event is keyed by bob, not by alice, whose state it changes")
    }

    @Test("the owner invites someone new to an existing root; only the invitee accepts; the owner may withdraw")
    func invites() {
        let invite = Invitation(inviteID: UUID(), owner: Self.alice, root: try! NamespacePath("team"), username: Self.bob)
        let facts = AccessPolicy.InviteFacts(rootExists: true, collaborators: [], pendingInvitees: [], idTaken: false)
        func sending(_ viewer: Viewer, _ facts: AccessPolicy.InviteFacts = facts, subject: String = "alice") -> String? {
            AccessPolicy.refusal(ofSending: invite, facts: facts, subject: subject, viewer: viewer)?.reason
        }
        #expect(sending(Viewer(username: Self.alice)) == nil)
        #expect(sending(Viewer(username: Self.carol, isAdministrator: true)) == nil)
        #expect(sending(Viewer(username: Self.bob)) == "only the owner of team@alice invites collaborators")
        var changed = facts
        changed.rootExists = false
        #expect(sending(Viewer(username: Self.alice), changed) == "namespace team@alice does not exist")
        changed = facts
        changed.collaborators = [Self.bob]
        #expect(sending(Viewer(username: Self.alice), changed) == "bob already collaborates on team@alice")
        changed = facts
        changed.pendingInvitees = [Self.bob]
        #expect(sending(Viewer(username: Self.alice), changed) == "bob already has a pending invite to team@alice")
        changed = facts
        changed.idTaken = true
        #expect(sending(Viewer(username: Self.alice), changed)?.hasSuffix("exists already") == true)
        #expect(sending(Viewer(username: Self.alice), subject: "bob")
            == "the event is keyed by bob, not by alice, whose state it changes")

        let id = invite.inviteID.uuidString.lowercased()
        func answering(_ viewer: Viewer, accepting: Bool, _ state: StoredInvite.State? = .pending) -> String? {
            AccessPolicy.refusal(
                ofAnswering: invite, accepting: accepting,
                stored: state.map { StoredInvite(invitation: invite, state: $0) }, subject: "alice", viewer: viewer)?.reason
        }
        #expect(answering(Viewer(username: Self.bob), accepting: true) == nil)
        #expect(answering(Viewer(username: Self.bob), accepting: false) == nil)
        #expect(answering(Viewer(username: Self.alice), accepting: false) == nil)
        #expect(answering(Viewer(username: Self.alice), accepting: true) == "only bob accepts invite \(id)")
        #expect(answering(Viewer(username: Self.carol, isAdministrator: true), accepting: true)
            == "only bob accepts invite \(id)")
        #expect(answering(Viewer(username: Self.carol), accepting: false)
            == "only bob or the owner of team@alice rejects invite \(id)")
        #expect(answering(Viewer(username: Self.bob), accepting: true, .rejected) == "invite \(id) is already rejected")
        #expect(answering(Viewer(username: Self.bob), accepting: true, nil) == "invite \(id) does not exist")
    }

    @Test("webhooks are added, removed and redelivered only by the owner of an existing namespace")
    func webhooks() throws {
        let created = WebhookCreated(
            webhookID: UUID(), owner: Self.alice, path: try NamespacePath("team"),
            url: try WebhookURL("https://ci.example.com/hook"), topics: [.images], active: true, sealedSecret: nil)
        func creating(_ viewer: Viewer, exists: Bool = true, taken: Bool = false) -> String? {
            AccessPolicy.refusal(
                ofCreating: created, namespaceExists: exists, idTaken: taken, subject: "alice", viewer: viewer)?.reason
        }
        #expect(creating(Viewer(username: Self.alice)) == nil)
        #expect(creating(Viewer(username: Self.bob)) == "only the owner of team@alice manages its webhooks")
        #expect(creating(Viewer(username: Self.alice), exists: false) == "namespace team@alice does not exist")
        #expect(creating(Viewer(username: Self.alice), taken: true)?.hasSuffix("exists already") == true)
        let id = created.webhookID
        let stored = StoredWebhook(owner: Self.alice, path: try NamespacePath("team"), isDeleted: false)
        func changing(_ viewer: Viewer, _ stored: StoredWebhook?, owner: Username = Self.alice) -> String? {
            AccessPolicy.refusal(ofChangingWebhook: id, owner: owner, stored: stored, subject: owner.value, viewer: viewer)?
                .reason
        }
        #expect(changing(Viewer(username: Self.alice), stored) == nil)
        #expect(changing(Viewer(username: Self.carol, isAdministrator: true), stored) == nil)
        #expect(changing(Viewer(username: Self.bob), stored) == "only the owner of team@alice manages its webhooks")
        #expect(changing(Viewer(username: Self.alice), nil) == "webhook \(id.uuidString.lowercased()) does not exist")
        var deleted = stored
        deleted.isDeleted = true
        #expect(changing(Viewer(username: Self.alice), deleted) == "webhook \(id.uuidString.lowercased()) is deleted")
        // Another owner's event may not name alice's webhook.
        #expect(changing(Viewer(username: Self.bob), stored, owner: Self.bob)
            == "webhook \(id.uuidString.lowercased()) does not exist")
    }

    @Test("a record without a recorded role keeps ingest's decision")
    func unrecordedRole() throws {
        let envelope = EventEnvelope(
            source: "test", actor: Self.bob, actorRole: nil, subject: EventEnvelope.baseImagesKey,
            event: Self.created(owner: nil, namespace: nil))
        #expect(Self.refusal(envelope.event, by: envelope.actorViewer, subject: envelope.subject) == nil)
    }
}
