import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// `PUT /v1/quotas?namespace=root@owner` (a tree) or `?user=name` (all the
/// user owns): an administrator sets or (with neither limit) removes a
/// quota (`quota-set`). Anyone else is told it was not found.
struct QuotaCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any RegistryQueries

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.put("quotas") { request, context in
            try await recorder.handle(SetQuota(queries: queries), request: request, context: context)
        }
    }

    struct SetQuota: IngestCommand {
        struct Parsed: Sendable {
            let quota: QuotaSet
            let body: [UInt8]
        }

        let queries: any RegistryQueries

        static let route = "PUT /v1/quotas"
        static let access = CommandAccess.scope(.registryAdmin, hiding: "quota")

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed {
            let scope = try QuotaScope(request)
            let (command, body) = try await JSONBody.decodeKeepingBytes(SetQuotaRequest.self, from: request)
            let quota = QuotaSet(owner: scope.owner, root: scope.root, maxBytes: command.maxBytes, maxVersions: command.maxVersions)
            try validated { () throws(NameError) in try quota.validate() }
            return Parsed(quota: quota, body: body)
        }

        func authorize(_ parsed: Parsed, caller: Caller) async throws -> Parsed {
            guard caller.viewer.isAdministrator else { throw APIError.notFound("quota not found") }
            return parsed
        }

        func prepare(_ parsed: Parsed, request: Request, caller: Caller) async throws -> (Parsed, fingerprint: [[UInt8]]) {
            (parsed, [Array(parsed.quota.owner.value.utf8), Array((parsed.quota.root?.value ?? "").utf8), parsed.body])
        }

        func event(for parsed: Parsed, caller: Caller, key: IdempotencyKey?) throws -> (RegistryEvent, subject: String) {
            (.quotaSet(parsed.quota), parsed.quota.owner.value)
        }

        /// `200` with the quota as it now is, and the usage.
        func outcome(of parsed: Parsed, recorded: RecordedEvent) async throws -> (QuotaResource, HTTPResponse.Status)? {
            let scope = QuotaScope(owner: parsed.quota.owner, root: parsed.quota.root)
            return (try await scope.resource(from: queries), .ok)
        }
    }
}
