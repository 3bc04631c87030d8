import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// `POST /v1/retention?namespace=path@owner` (or `?user=name`, personal
/// images under the deployment's default policy): applies the policy now, recording one `image-deleted` per version it
/// removes, each with the policy's reason, so that the audit trail says why
/// each version went. It removes what `GET /v1/retention/preview` lists
/// (``RetentionScope``). The owner (or an administrator) only.
///
/// Each event's id derives from the version, so applying twice (or two
/// replicas at once) records nothing twice that the fold would apply.
struct RetentionCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any RegistryQueries
    let personalPolicy: RetentionPolicy?

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("retention") { request, context -> EditedResponse<RetentionResource> in
            let caller = try context.requireCaller(with: .imageWrite, hiding: "namespace")
            let scope = try await RetentionScope.load(
                request, viewer: caller.viewer, personalPolicy: personalPolicy, queries: queries)
            var items: [RetentionResource.Item] = []
            for removal in scope.removals {
                let event = try await recorder.record(
                    .imageDeleted(ImageDeleted(imageID: removal.imageID, reason: removal.reason)),
                    subject: scope.target.owner.value, caller: caller, context: context, key: nil,
                    eventID: EventID.derived(from: "retention\u{0}\(removal.imageID.uuidString.lowercased())"))
                items.append(RetentionResource.Item(removal, event: event))
            }
            var headers: HTTPFields = [:]
            if let last = items.last?.event {
                headers[.registryPosition] = last.position.description
                if request.queryParameter("wait") == "true" { try await recorder.waiter.waitUntilProjected(last.position) }
            }
            return EditedResponse(
                status: .ok, headers: headers,
                response: RetentionResource(target: scope.target, policy: scope.policy, items: items))
        }
    }
}
