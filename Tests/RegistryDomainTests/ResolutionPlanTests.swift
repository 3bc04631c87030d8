import Testing
@testable import RegistryDomain

@Suite("Resolution follows Djinn CI's order, deterministically")
struct ResolutionPlanTests {
    let alice = try! Username("alice")

    @Test("with a build namespace: that exact namespace, then the base image")
    func namespacedBuild() throws {
        let namespace = try NamespaceReference(parsing: "team/infra@bob", defaultOwner: alice)
        let steps = try ResolutionPlan(for: ResolutionRequest(user: alice, namespace: namespace, image: "arch")).steps
        #expect(steps == [.namespace(namespace, try ImageName("arch")), .base(try BaseImageName("arch"))])
    }

    @Test("without a namespace: personal, then owned namespaces, then base")
    func personalBuild() throws {
        let steps = try ResolutionPlan(for: ResolutionRequest(user: alice, namespace: nil, image: "my-image")).steps
        let name = try ImageName("my-image")
        #expect(steps == [.personal(alice, name), .ownedNamespaces(alice, name), .base(try BaseImageName("my-image"))])
    }

    @Test("a name with '/' can only be a base image")
    func slashMeansBase() throws {
        let namespace = try NamespaceReference(parsing: "team", defaultOwner: alice)
        let steps = try ResolutionPlan(for: ResolutionRequest(user: alice, namespace: namespace, image: "debian/stable")).steps
        #expect(steps == [.base(try BaseImageName("debian/stable"))])
    }

    @Test("a name that fits neither rule is rejected", arguments: ["a b", "../x", "", "a;b"])
    func rejectsInvalid(_ name: String) {
        #expect(throws: NameError.self) {
            try ResolutionPlan(for: ResolutionRequest(user: alice, namespace: nil, image: name)).steps
        }
    }
}
