import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RegistryAuth
import RegistryDomain
import RegistryHTTP
import RegistryTesting
import Testing

/// Every cell of role × visibility × action, answered by the pure
/// ``AccessPolicy`` and by both running services: the two must agree.
@Suite("Access matrix: policy and services agree")
struct PolicyMatrixTests {
    enum Role: String, CaseIterable {
        case owner = "alice", collaborator = "bob", other = "carol", anonymous = "", scheduler, administrator = "root"

        var scopes: [Scope] {
            switch self {
            case .owner, .collaborator, .other: [.imageRead, .imageWrite, .namespaceRead, .namespaceWrite]
            case .anonymous: []
            case .scheduler: [.imageResolve]
            case .administrator: [.registryAdmin]
            }
        }

        var username: Username? { rawValue.isEmpty ? nil : try? Username(rawValue) }

        /// The policy's viewer when the route needs `scope`, as the services
        /// see a token: without the scope it reads as anonymous.
        func viewer(needing scope: Scope) -> Viewer {
            guard scopes.contains(scope) || scopes.contains(.registryAdmin) else { return .anonymous }
            return Viewer(username: username, isAdministrator: self == .administrator)
        }

        func holds(_ scope: Scope) -> Bool { scopes.contains(scope) || scopes.contains(.registryAdmin) }

        func token() async throws -> String? {
            guard self != .anonymous else { return nil }
            return try await TestEnvironment.token(rawValue, scopes)
        }
    }

    enum Action: String, CaseIterable {
        case see, list, download, resolve, register, delete, manageCollaborators, manageNamespaces
    }

    static let alice = try! Username("alice")
    static let bob = try! Username("bob")

    /// What the pure policy says, given the scopes each route requires.
    static func allowed(_ action: Action, _ role: Role, _ namespace: NamespaceAccess) -> Bool {
        let placement = ImagePlacement.namespace(namespace)
        switch action {
        case .see, .list, .download:
            return AccessPolicy.canSee(placement, viewer: role.viewer(needing: .imageRead))
        case .resolve:
            // A build of alice's for the scheduler, the reader's own build for everyone else.
            guard let user = role == .scheduler ? alice : role.username else { return false }
            let viewer = role.holds(.imageRead) ? role.viewer(needing: .imageRead) : .anonymous
            return AccessPolicy.canResolve(for: user, viewer: viewer, isScheduler: role.holds(.imageResolve))
                && AccessPolicy.canSee(placement, viewer: Viewer(username: user))
        case .register:
            return role.holds(.imageWrite) && AccessPolicy.canWrite(.namespace(namespace), viewer: role.viewer(needing: .imageWrite))
        case .delete:
            return role.holds(.imageWrite) && AccessPolicy.canDelete(placement, viewer: role.viewer(needing: .imageWrite))
        case .manageCollaborators:
            return role.holds(.namespaceWrite) && AccessPolicy.canManage(namespace, viewer: role.viewer(needing: .namespaceWrite))
        case .manageNamespaces:
            return role.holds(.namespaceWrite)
                && AccessPolicy.canWrite(.newNamespace(owner: alice, root: namespace), viewer: role.viewer(needing: .namespaceWrite))
        }
    }

    @Test("owner, collaborator, other user, anonymous, scheduler and administrator × private, internal, public × every action")
    func matrix() async throws {
        let images = try QemuImages.directory()
        let disk = try QemuImages.make("matrix.qcow2", in: images)
        let alice = try #require(try await Role.owner.token())
        let bob = try #require(try await Role.collaborator.token())
        try await RegistryServices.fresh().run { ingest, projector in
            var mismatches: [String] = []
            for visibility in Visibility.allCases {
                let root = "m\(visibility.rawValue)"
                let namespace = NamespaceAccess(owner: Self.alice, visibility: visibility, collaborators: [Self.bob])
                #expect(try await ingest.call(
                    .post, "/v1/namespaces?wait=true", token: alice,
                    json: #"{"path": "\#(root)", "visibility": "\#(visibility.rawValue)"}"#
                ).status == .created)
                try await ingest.collaborate("bob", on: "alice/\(root)", ownerToken: alice, inviteeToken: bob)
                let shown = try await UploadTests.upload(
                    disk, name: "img", to: ingest, token: alice, query: "&namespace=\(root)&wait=true")
                let id = try #require(shown.string("id"))
                var victims: [Role: String] = [:]
                for role in Role.allCases {
                    let victim = try await UploadTests.upload(
                        disk, name: "del-\(role)", to: ingest, token: alice, query: "&namespace=\(root)&wait=true")
                    let victimID = try #require(victim.string("id"))
                    victims[role] = victimID
                }
                for role in Role.allCases {
                    let token = try await role.token()
                    for action in Action.allCases {
                        let status: HTTPResponse.Status
                        switch action {
                        case .see:
                            status = try await projector.call(.get, "/v1/images/\(id)", token: token).status
                        case .list:
                            let page = try await projector.call(.get, "/v1/images?namespace=\(root)@alice", token: token)
                            let ids = (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                            status = ids.contains(id) ? .ok : .notFound
                        case .download:
                            status = try await projector.executeRequest(
                                uri: "/v1/images/\(id)/disk", method: .head,
                                headers: token.map { [.authorization: "Bearer \($0)"] } ?? [:], body: nil).status
                        case .resolve:
                            let user = role == .scheduler ? "alice" : (role.username?.value ?? "alice")
                            status = try await projector.call(
                                .get, "/v1/resolve?driver=qemu&image=img&user=\(user)&namespace=\(root)@alice",
                                token: token).status
                        case .register:
                            var headers: HTTPFields = [.contentType: "application/x-qemu-disk"]
                            headers[.authorization] = token.map { "Bearer \($0)" }
                            let response = try await ingest.executeRequest(
                                uri: "/v1/images?name=img&namespace=\(root)@alice", method: .post, headers: headers,
                                body: ByteBuffer(bytes: try Data(contentsOf: disk)))
                            status = response.status
                        case .delete:
                            status = try await ingest.call(.delete, "/v1/images/\(victims[role]!)", token: token).status
                        case .manageCollaborators:
                            status = try await ingest.call(
                                .post, "/v1/namespaces/alice/\(root)/invites", token: token,
                                json: #"{"username": "dave"}"#).status
                        case .manageNamespaces:
                            status = try await ingest.call(
                                .post, "/v1/namespaces", token: token,
                                json: #"{"path": "\#(root)/child\#(role)@alice"}"#).status
                        }
                        let served = (200..<300).contains(status.code)
                        let expected = Self.allowed(action, role, namespace)
                        if served != expected {
                            mismatches.append(
                                "\(role) \(action) \(visibility): policy \(expected ? "allows" : "denies"), service answered \(status.code)")
                        } else if !served, ![401, 404].contains(status.code) {
                            mismatches.append("\(role) \(action) \(visibility): a denial must be 401 or 404, not \(status.code)")
                        }
                    }
                }
            }
            #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.joined(separator: "\n"))")
        }
    }
}
