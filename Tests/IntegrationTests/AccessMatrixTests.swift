import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryAuth
import RegistryHTTP
import RegistryTesting
import Testing

/// Who may list, get, resolve and create, for each visibility, checked
/// against the running services.
@Suite("Access matrix")
struct AccessMatrixTests {
    enum Actor: String, CaseIterable, Sendable {
        case owner, collaborator, other, anonymous, scheduler
    }

    struct Expectation: Sendable {
        let listed: Bool
        let get: HTTPResponse.Status
        let resolve: HTTPResponse.Status
        let create: HTTPResponse.Status
    }

    /// The expected cell for each actor and visibility.
    static func expected(_ actor: Actor, _ visibility: String) -> Expectation {
        switch (actor, visibility) {
        case (.owner, _), (.collaborator, _):
            return Expectation(listed: true, get: .ok, resolve: .ok, create: .accepted)
        case (.other, "private"):
            return Expectation(listed: false, get: .notFound, resolve: .notFound, create: .notFound)
        case (.other, _):
            return Expectation(listed: true, get: .ok, resolve: .ok, create: .notFound)
        case (.anonymous, "public"):
            return Expectation(listed: true, get: .ok, resolve: .unauthorized, create: .unauthorized)
        case (.anonymous, _):
            return Expectation(listed: false, get: .notFound, resolve: .unauthorized, create: .unauthorized)
        case (.scheduler, "private"):
            // The scheduler reads nothing itself; it resolves for carol, who may not see private.
            return Expectation(listed: false, get: .notFound, resolve: .notFound, create: .notFound)
        case (.scheduler, "internal"):
            return Expectation(listed: false, get: .notFound, resolve: .ok, create: .notFound)
        case (.scheduler, _):
            return Expectation(listed: true, get: .ok, resolve: .ok, create: .notFound)
        }
    }

    static let readWrite: [Scope] = [.imageRead, .imageWrite, .namespaceRead, .namespaceWrite]

    @Test("owner, collaborator, other user, anonymous and scheduler × private, internal, public × list, get, resolve, create")
    func matrix() async throws {
        let tokens: [Actor: String] = [
            .owner: try await TestEnvironment.token("alice", Self.readWrite),
            .collaborator: try await TestEnvironment.token("bob", Self.readWrite),
            .other: try await TestEnvironment.token("carol", Self.readWrite),
            .scheduler: try await TestEnvironment.token("scheduler", [.imageResolve]),
        ]
        let buildUser: [Actor: String] = [.owner: "alice", .collaborator: "bob", .other: "carol", .anonymous: "carol", .scheduler: "carol"]
        let visibilities = ["private", "internal", "public"]

        try await RegistryServices.fresh().run { ingest, projector in
            let (alice, bob) = (tokens[.owner]!, tokens[.collaborator]!)
            // Every image holds bytes alice uploaded; a collaborator may
            // register them too, since they may read alice's images.
            let held = try await HeldImages.upload(0x41, to: ingest, token: alice).image
            var imageIDs: [String: String] = [:]
            var lastPosition = ""
            for visibility in visibilities {
                let path = "\(visibility)ns"
                _ = try await ingest.call(.post, "/v1/namespaces", token: alice,
                                          json: #"{"path": "\#(path)", "visibility": "\#(visibility)"}"#)
                let image = try await ingest.call(.post, "/v1/images", token: alice,
                                                  json: held.registration(name: "app", namespace: path))
                imageIDs[visibility] = image.string("event", "id")
                lastPosition = try #require(image.headers[.registryPosition])
            }
            try await ingest.collaborate(
                "bob", on: "alice/privatens", ownerToken: alice, inviteeToken: bob,
                headers: [.registryPosition: lastPosition])
            let added = try await projector.call(.get, "/v1/namespaces/alice/privatens", token: alice)
            #expect((added["collaborators"] as? [String]) == ["bob"])
            for visibility in visibilities {
                let path = "\(visibility)ns"
                if visibility != "private" {
                    try await ingest.collaborate("bob", on: "alice/\(path)", ownerToken: alice, inviteeToken: bob)
                }
                let listed = try await projector.call(
                    .get, "/v1/images?namespace=\(path)@alice&after=\(lastPosition)", token: alice)
                let id = try #require((listed["items"] as? [[String: Any]])?.first?["id"] as? String)
                imageIDs[visibility] = id
            }

            for actor in Actor.allCases {
                let token = tokens[actor]
                for visibility in visibilities {
                    let cell = Self.expected(actor, visibility)
                    let path = "\(visibility)ns"
                    let label = "\(actor.rawValue) × \(visibility)"
                    let id = try #require(imageIDs[visibility])

                    let list = try await projector.call(.get, "/v1/images?namespace=\(path)@alice", token: token)
                    let ids = (list["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                    #expect(list.status == .ok, "\(label) list")
                    #expect(ids.contains(id) == cell.listed, "\(label) list")

                    let get = try await projector.call(.get, "/v1/images/\(id)", token: token)
                    #expect(get.status == cell.get, "\(label) get")

                    let resolve = try await projector.call(
                        .get, "/v1/resolve?driver=qemu&image=app&user=\(buildUser[actor]!)&namespace=\(path)@alice",
                        token: token)
                    #expect(resolve.status == cell.resolve, "\(label) resolve")
                    if cell.resolve == .ok {
                        #expect(resolve.string("namespace") == "\(path)@alice", "\(label) resolve")
                    }

                    let create = try await ingest.call(
                        .post, "/v1/images", token: token,
                        json: held.registration(name: "made-by-\(actor.rawValue)", namespace: "\(path)@alice"))
                    #expect(create.status == cell.create, "\(label) create")
                }
            }
        }
    }
}
