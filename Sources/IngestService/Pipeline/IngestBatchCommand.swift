import Foundation
import Hummingbird
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// An ingest command that records one event per item, all published
/// together and answered `202` once the broker has acknowledged every one;
/// ``CommandRecorder/handle(_:request:context:)`` runs it:
///
/// 1. the request must carry an `Idempotency-Key` (400 otherwise): should
///    the broker fail part-way, some events are recorded and some not, and a
///    retry with the same key records only what is missing (each item's ids
///    derive from the key and its index, ``IdempotencyKey/item(_:)``);
/// 2. to 6. the request is admitted as any command is (``CommandAdmission``):
///    the whole batch is validated and authorised before anything is
///    recorded, so one bad or forbidden item refuses the batch; the same
///    key with another batch, or the same one reordered, is refused;
/// 7. the items no earlier try recorded are recorded at once;
/// 8. the answer lists every item's ``result(for:event:)`` in order.
protocol IngestBatchCommand: CommandAdmission where Prepared == [Item] {
    /// One item of the batch, prepared.
    associatedtype Item: Sendable
    /// What the answer says about one recorded item.
    associatedtype ItemResult: Sendable
    /// The whole answer.
    associatedtype Resource: ResponseEncodable & Sendable

    /// The event recording `item` and the subject (owner) it is keyed by;
    /// its ids derive from `key`.
    func event(for item: Item, key: IdempotencyKey) throws -> (RegistryEvent, subject: String)

    /// What the answer says about the item recorded under `key`.
    func result(for key: IdempotencyKey, event: EventReference) -> ItemResult

    /// The answer, from every item's result in order.
    func answer(_ results: [ItemResult]) -> Resource
}

extension CommandRecorder {
    /// Runs `command`'s steps for `request` (see ``IngestBatchCommand``).
    func handle<Command: IngestBatchCommand>(_ command: Command, request: Request, context: RegistryRequestContext)
        async throws -> EditedResponse<Command.Resource>
    {
        let missingKey = APIError.badRequest(
            "Idempotency-Key: a batch needs one, so that a retry after a failure records nothing twice",
            code: "missing_idempotency_key")
        guard request.headers[.idempotencyKey] != nil else { throw missingKey }
        let admitted = try await admit(command, request: request, context: context)
        guard let idempotent = admitted.idempotent else { throw missingKey }
        // The batch's key guards the whole request; its items' events are
        // looked up by their own keys.
        _ = try await claim(idempotent)
        let items = admitted.prepared
        let keys = items.indices.map { idempotent.key.item($0) }
        let earlier = try await earlier(keys)
        var results: [Command.ItemResult?] = keys.map { key in
            earlier[key.eventID].map { command.result(for: key, event: $0.reference) }
        }
        try await withThrowingTaskGroup(of: (Int, Command.ItemResult).self) { group in
            for index in results.indices where results[index] == nil {
                let (event, subject) = try command.event(for: items[index], key: keys[index])
                group.addTask {
                    let reference = try await record(
                        event, subject: subject, caller: admitted.caller, context: context, key: keys[index])
                    return (index, command.result(for: keys[index], event: reference))
                }
            }
            for try await (index, result) in group { results[index] = result }
        }
        return EditedResponse(status: .accepted, response: command.answer(results.compactMap { $0 }))
    }
}
