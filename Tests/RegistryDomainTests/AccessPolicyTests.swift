import Testing
@testable import RegistryDomain

@Suite("Access rules")
struct AccessPolicyTests {
    static let alice = try! Username("alice")
    static let bob = try! Username("bob")
    static let carol = try! Username("carol")

    static func namespace(_ visibility: Visibility) -> NamespaceAccess {
        NamespaceAccess(owner: alice, visibility: visibility, collaborators: [bob])
    }

    static let owner = Viewer(username: alice)
    static let collaborator = Viewer(username: bob)
    static let other = Viewer(username: carol)
    static let administrator = Viewer(username: carol, isAdministrator: true)

    @Test("who sees what", arguments: [
        (Visibility.public, [true, true, true, true, true]),
        (Visibility.internal, [true, true, true, false, true]),
        (Visibility.private, [true, true, false, false, true]),
    ])
    func seeing(_ visibility: Visibility, _ expected: [Bool]) {
        let viewers = [Self.owner, Self.collaborator, Self.other, Viewer.anonymous, Self.administrator]
        #expect(viewers.map { AccessPolicy.canSee(Self.namespace(visibility), viewer: $0) } == expected)
    }

    @Test("owner and collaborators write, whatever the visibility", arguments: Visibility.allCases)
    func writing(_ visibility: Visibility) {
        let namespace = Self.namespace(visibility)
        #expect(AccessPolicy.canWrite(namespace, viewer: Self.owner))
        #expect(AccessPolicy.canWrite(namespace, viewer: Self.collaborator))
        #expect(!AccessPolicy.canWrite(namespace, viewer: Self.other))
        #expect(!AccessPolicy.canWrite(namespace, viewer: .anonymous))
        #expect(AccessPolicy.canWrite(namespace, viewer: Self.administrator))
    }

    @Test("only the owner manages collaborators")
    func managing() {
        let namespace = Self.namespace(.public)
        #expect(AccessPolicy.canManage(namespace, viewer: Self.owner))
        #expect(!AccessPolicy.canManage(namespace, viewer: Self.collaborator))
        #expect(!AccessPolicy.canManage(namespace, viewer: Self.other))
        #expect(!AccessPolicy.canManage(namespace, viewer: .anonymous))
    }

    @Test("personal images are their owner's alone")
    func personalImages() {
        #expect(AccessPolicy.canSeePersonalImage(owner: Self.alice, viewer: Self.owner))
        #expect(!AccessPolicy.canSeePersonalImage(owner: Self.alice, viewer: Self.collaborator))
        #expect(!AccessPolicy.canSeePersonalImage(owner: Self.alice, viewer: .anonymous))
        #expect(AccessPolicy.canSeePersonalImage(owner: Self.alice, viewer: Self.administrator))
    }

    @Test("pinned references: name@sha256:<hex>")
    func pins() throws {
        let digest = String(repeating: "ab", count: 32)
        let pinned = try ImageReference(parsing: "my-image@sha256:\(digest)")
        #expect(pinned.name == "my-image")
        #expect(pinned.digest?.hex == digest)
        #expect(try ImageReference(parsing: "my-image").digest == nil)
        #expect(throws: NameError.self) { try ImageReference(parsing: "my-image@md5:abc") }
        #expect(throws: NameError.self) { try ImageReference(parsing: "my-image@sha256:xyz") }
        let plan = try ResolutionPlan(for: ResolutionRequest(user: Self.alice, namespace: nil, image: "tool@sha256:\(digest)"))
        #expect(plan.digest?.hex == digest)
        #expect(plan.steps.first == .personal(Self.alice, try ImageName("tool")))
    }
}
