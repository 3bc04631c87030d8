import Foundation
import Logging
import Metrics
import ReadModel
import RegistryAPI
import RegistryDomain

/// A delivery is still being retried when its partition's turn ends; it
/// goes on in the next turn (or on the replica the partition moves to).
struct DeliveryPending: Error, CustomStringConvertible {
    let description: String
}

/// Delivers webhooks from the event log, as a ``ProjectionStore`` whose
/// "fold" sends each event the fold applied to the webhooks live at its
/// position, once the read model has reached it. Records are handled in log
/// order per partition (so per namespace owner), each delivery retried on
/// network errors, 408, 429 and 5xx by ``WebhookRetrySchedule`` until it is
/// delivered or marked failed, before the next record.
///
/// At least once: the partition's position moves past a record only after
/// every delivery of it is settled, and each attempt is recorded, so a
/// dispatcher killed at any point leaves the record to the next one, which
/// skips what was settled and sends the rest with the same delivery ids.
struct WebhookDispatcher: ProjectionStore {
    let log: any WebhookDispatchLog
    let sender: any WebhookSending
    let seal: WebhookSecretSeal?
    let schedule: WebhookRetrySchedule
    /// How long one turn may work on a partition before giving it back, so
    /// that shutdown and rebalances are never held up by a slow receiver.
    var turn: Duration = .seconds(20)
    let logger: Logger

    func apply(_ records: [LogRecord], partition: Int32) async throws -> BatchOutcome {
        var outcome = BatchOutcome(nextOffset: try await log.storedPositions()[partition] ?? 0)
        let deadline = ContinuousClock.now + turn
        for record in records {
            guard record.position.offset >= outcome.nextOffset else {
                outcome.skipped += 1
                continue
            }
            try await handle(record, until: deadline)
            try await log.advance(partition: partition, past: record.position.offset)
            outcome.nextOffset = record.position.offset + 1
            outcome.applied += 1
        }
        return outcome
    }

    /// A record the dispatcher cannot handle is the projector's dead letter
    /// already; the dispatcher moves past it.
    func deadLetter(_ record: LogRecord, reason: String) async throws -> BatchOutcome {
        try await log.advance(partition: record.position.partition, past: record.position.offset)
        return BatchOutcome(deadLettered: 1, nextOffset: record.position.offset + 1)
    }

    /// Every failure is worth retrying: a delivery is never given up on
    /// because the dispatcher's own database or turn failed.
    func failure(of error: any Error) -> ProjectionFailure { .transient }

    func storedPositions() async throws -> [Int32: Int64] {
        try await log.storedPositions()
    }

    private func handle(_ record: LogRecord, until deadline: ContinuousClock.Instant) async throws {
        // A record that does not decode is the projector's dead letter.
        guard let envelope = try? CloudEventsCodec.decode(record.encoded) else { return }
        while try await log.projectedOffset(partition: record.position.partition) <= record.position.offset {
            guard ContinuousClock.now < deadline else {
                throw DeliveryPending(description: "the read model has not reached \(record.position) yet")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard try await log.wasApplied(envelope.id) == true else { return }  // refused by the fold
        if case .webhookRedeliveryRequested(let request) = envelope.event {
            return try await redeliver(request, at: record.position, handling: envelope.id, until: deadline)
        }
        let image: ImageRecord? = switch envelope.event {
        case .imageCreated(let created): try await log.image(created.imageID)
        case .imageDeleted(let deleted): try await log.image(deleted.imageID)
        case .imageStatusChanged(let change): try await log.image(change.imageID)
        default: nil
        }
        guard let notice = WebhookNotice(envelope.event, imageNamespace: image?.namespace) else { return }
        let webhooks = try await log.webhooks(
            of: notice.namespace.owner, on: notice.namespace.path.lineage, liveAt: record.position
        ).filter { notice.reaches(path: $0.created.path, topics: $0.created.topics) }
        guard !webhooks.isEmpty else { return }
        let body = try Self.body(of: envelope, at: record, notice: notice, image: image)
        for webhook in webhooks {
            let id = WebhookSignature.deliveryID(webhookID: webhook.created.webhookID, eventID: envelope.id)
            let now = Date()
            var delivery = WebhookDeliveryRecord(
                id: id, webhookID: webhook.created.webhookID, eventID: envelope.id, eventType: envelope.type.rawValue,
                topic: notice.topic, action: notice.action, body: body, attempts: 0, state: .pending, statusCode: nil,
                durationMilliseconds: 0, error: nil, firstSentAt: now, lastSentAt: now, retrySince: now,
                nextAttemptAt: now)
            if let (existing, handled) = try await log.delivery(id) {
                if handled == envelope.id, existing.state != .pending { continue }  // settled before a restart
                delivery = existing
            }
            try await settle(&delivery, to: webhook, handling: envelope.id, until: deadline)
        }
    }

    /// Sends a delivery again, with its body and id, when the owner asked
    /// (and the webhook still lived at the request's position).
    private func redeliver(
        _ request: WebhookRedeliveryRequested, at position: LogPosition, handling eventID: UUID,
        until deadline: ContinuousClock.Instant
    ) async throws {
        guard let (existing, handled) = try await log.delivery(request.deliveryID),
            existing.webhookID == request.webhookID, let webhook = try await log.webhook(request.webhookID),
            webhook.isLive(at: position.offset), webhook.created.active
        else { return }
        if handled == eventID, existing.state != .pending { return }  // settled before a restart
        var delivery = existing
        if handled != eventID {
            let now = Date()
            delivery.state = .pending
            delivery.retrySince = now
            delivery.nextAttemptAt = now
        }
        try await settle(&delivery, to: webhook, handling: eventID, until: deadline)
    }

    /// Attempts `delivery` until it is delivered, failed, or the turn ends.
    private func settle(
        _ delivery: inout WebhookDeliveryRecord, to webhook: WebhookRecord, handling eventID: UUID,
        until deadline: ContinuousClock.Instant
    ) async throws {
        var headers = [
            ("X-Djinn-CI-Event", delivery.topic.rawValue), ("X-Djinn-CI-Delivery", delivery.id.uuidString.lowercased()),
        ]
        let bytes = Array(delivery.body.utf8)
        if let sealed = webhook.created.sealedSecret {
            guard let secret = seal?.open(sealed) else {
                delivery.state = .failed
                delivery.error = "the webhook's secret cannot be opened: IMAGE_REGISTRY_WEBHOOK_KEY is not the key it was sealed with"
                return try await log.record(delivery, handledEventID: eventID)
            }
            headers.append(("X-Djinn-CI-Signature", WebhookSignature.header(body: bytes, secret: secret)))
        }
        while true {
            let wait = delivery.nextAttemptAt.timeIntervalSinceNow
            if wait > 0 {
                guard ContinuousClock.now + .seconds(wait) < deadline else {
                    throw DeliveryPending(description: "delivery \(delivery.id) is tried again at \(delivery.nextAttemptAt)")
                }
                try await Task.sleep(for: .seconds(wait))
            }
            let attempt = await sender.send(bytes, to: webhook.created.url.url, headers: headers)
            Timer(label: "registry_webhook_attempt_duration_seconds").recordSeconds(attempt.duration / .seconds(1))
            let now = Date()
            delivery.attempts += 1
            delivery.statusCode = attempt.statusCode
            delivery.error = attempt.error ?? (attempt.succeeded ? nil : "the receiver answered \(attempt.statusCode ?? 0)")
            delivery.durationMilliseconds = Int(attempt.duration / .milliseconds(1))
            delivery.lastSentAt = now
            let elapsed = Duration.seconds(now.timeIntervalSince(delivery.retrySince))
            if attempt.succeeded {
                delivery.state = .delivered
            } else if attempt.isRetryable,
                let pause = schedule.delay(afterAttempt: delivery.attempts, elapsed: elapsed, random: { .random(in: 0...1) })
            {
                delivery.state = .pending
                delivery.nextAttemptAt = now.addingTimeInterval(Double(pause / .milliseconds(1)) / 1000)
            } else {
                delivery.state = .failed
            }
            try await log.record(delivery, handledEventID: eventID)
            if delivery.state != .pending {
                Counter(label: "registry_webhook_deliveries_total", dimensions: [("state", delivery.state.rawValue)])
                    .increment()
                logger.info("webhook delivery settled", metadata: [
                    "delivery.id": "\(delivery.id)", "webhook.id": "\(delivery.webhookID)",
                    "state": "\(delivery.state.rawValue)", "attempts": "\(delivery.attempts)",
                ])
                return
            }
        }
    }

    /// The delivery's JSON body.
    static func body(of envelope: EventEnvelope, at record: LogRecord, notice: WebhookNotice, image: ImageRecord?) throws
        -> String
    {
        let payload = WebhookPayload(
            action: notice.action, namespace: notice.namespace.description,
            event: WebhookPayload.Event(
                id: envelope.id, type: envelope.type.rawValue, time: envelope.time, actor: envelope.actor.value,
                position: record.position.description),
            data: try RegistryJSON.decoder().decode(JSONValue.self, from: Data(record.encoded.value)),
            image: image.map(ImageResource.init))
        return String(decoding: try RegistryJSON.encoder().encode(payload), as: UTF8.self)
    }
}
