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
        let personal = ImagePlacement.personal(owner: Self.alice)
        #expect(AccessPolicy.canSee(personal, viewer: Self.owner))
        #expect(!AccessPolicy.canSee(personal, viewer: Self.collaborator))
        #expect(!AccessPolicy.canSee(personal, viewer: Viewer.anonymous))
        #expect(AccessPolicy.canSee(personal, viewer: Self.administrator))
        #expect(AccessPolicy.canDelete(personal, viewer: Self.owner))
        #expect(!AccessPolicy.canDelete(personal, viewer: Self.other))
    }

    @Test("writes: base images for administrators, new namespaces in one's own tree or a tree one collaborates on")
    func writes() {
        #expect(!AccessPolicy.canWrite(WriteTarget.base, viewer: Self.owner))
        #expect(AccessPolicy.canWrite(WriteTarget.base, viewer: Self.administrator))
        #expect(AccessPolicy.canWrite(WriteTarget.newNamespace(owner: Self.alice, root: nil), viewer: Self.owner))
        #expect(!AccessPolicy.canWrite(WriteTarget.newNamespace(owner: Self.alice, root: nil), viewer: Self.collaborator))
        let root = Self.namespace(.private)
        #expect(AccessPolicy.canWrite(WriteTarget.newNamespace(owner: Self.alice, root: root), viewer: Self.collaborator))
        #expect(!AccessPolicy.canWrite(WriteTarget.newNamespace(owner: Self.alice, root: root), viewer: Self.other))
        #expect(!AccessPolicy.canWrite(WriteTarget.namespace(Self.namespace(.public)), viewer: Self.other))
        #expect(!AccessPolicy.canDelete(ImagePlacement.base, viewer: Self.owner))
    }

    @Test("resolving: the scheduler for anyone, a reader for their own builds")
    func resolving() {
        #expect(AccessPolicy.canResolve(for: Self.alice, viewer: Viewer.anonymous, isScheduler: true))
        #expect(AccessPolicy.canResolve(for: Self.alice, viewer: Self.owner, isScheduler: false))
        #expect(!AccessPolicy.canResolve(for: Self.alice, viewer: Self.other, isScheduler: false))
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
