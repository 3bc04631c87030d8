import Foundation

/// Encodes events as CloudEvents 1.0 in Kafka binary mode and decodes them.
///
/// Attributes travel as `ce_*` record headers (`ce_specversion`, `ce_id`,
/// `ce_type`, `ce_source`, `ce_time`, `ce_subject`, plus the extensions
/// `ce_actor`, `ce_actorrole`, `ce_schemaversion` and `ce_requestid`, and the
/// distributed tracing extension's `ce_traceparent` and `ce_tracestate`); the data is JSON in the
/// record value; the record key is the subject (the owner). Unknown JSON
/// fields are ignored, so newer producers can add fields safely.
public enum CloudEventsCodec {
    public static let specVersion = "1.0"
    public static let contentType = "application/json"

    private static let wholeSecondStyle = Date.ISO8601FormatStyle()

    /// Turns an envelope into the key, headers and value of a Kafka record.
    public static func encode(_ envelope: EventEnvelope) -> EncodedEvent {
        var attributes: [(String, String)] = [
            ("ce_specversion", specVersion),
            ("ce_id", envelope.id.uuidString.lowercased()),
            ("ce_type", envelope.type.rawValue),
            ("ce_source", envelope.source),
            ("ce_time", formatTime(envelope.time)),
            ("ce_subject", envelope.subject),
            ("ce_actor", envelope.actor.value),
            ("ce_schemaversion", String(envelope.schemaVersion)),
            ("content-type", contentType),
        ]
        if let requestID = envelope.requestID {
            attributes.append(("ce_requestid", requestID))
        }
        if let role = envelope.actorRole {
            attributes.append(("ce_actorrole", role.rawValue))
        }
        if let trace = envelope.traceContext {
            attributes.append(("ce_traceparent", trace.traceParent))
            if let state = trace.traceState { attributes.append(("ce_tracestate", state)) }
        }
        return EncodedEvent(
            key: Array(envelope.subject.utf8),
            headers: attributes.map { EncodedEvent.Header(name: $0.0, value: Array($0.1.utf8)) },
            value: encodeData(envelope.event)
        )
    }

    /// Turns a Kafka record back into an envelope, or says why it is poison.
    public static func decode(_ record: EncodedEvent) throws(PoisonEventError) -> EventEnvelope {
        let specVersion = try required("ce_specversion", in: record)
        guard specVersion == Self.specVersion else { throw .unsupportedSpecVersion(specVersion) }
        let idText = try required("ce_id", in: record)
        guard let id = UUID(uuidString: idText) else { throw .invalidAttribute(name: "ce_id", value: idText) }
        let typeText = try required("ce_type", in: record)
        guard let type = EventType(rawValue: typeText) else { throw .unknownType(typeText) }
        let timeText = try required("ce_time", in: record)
        guard let time = parseTime(timeText) else { throw .invalidAttribute(name: "ce_time", value: timeText) }
        let actorText = try required("ce_actor", in: record)
        guard let actor = try? Username(actorText) else { throw .invalidAttribute(name: "ce_actor", value: actorText) }
        var actorRole: ActorRole?
        if let roleText = record.header("ce_actorrole") {
            guard let role = ActorRole(rawValue: roleText) else {
                throw .invalidAttribute(name: "ce_actorrole", value: roleText)
            }
            actorRole = role
        }
        let schemaText = try required("ce_schemaversion", in: record)
        guard let schemaVersion = Int(schemaText) else {
            throw .invalidAttribute(name: "ce_schemaversion", value: schemaText)
        }
        guard (1...EventEnvelope.currentSchemaVersion).contains(schemaVersion) else {
            throw .unsupportedSchemaVersion(schemaText)
        }
        return EventEnvelope(
            id: id,
            source: try required("ce_source", in: record),
            time: time,
            actor: actor,
            actorRole: actorRole,
            subject: try required("ce_subject", in: record),
            schemaVersion: schemaVersion,
            requestID: record.header("ce_requestid"),
            traceContext: traceContext(of: record),
            event: try decodeData(type: type, from: record.value)
        )
    }

    /// The record's trace context; `nil` when it has none or a malformed one
    /// (a bad trace context never makes an event poison).
    public static func traceContext(of record: EncodedEvent) -> EventTraceContext? {
        EventTraceContext(traceParent: record.header("ce_traceparent"), traceState: record.header("ce_tracestate"))
    }

    private static func required(_ name: String, in record: EncodedEvent) throws(PoisonEventError) -> String {
        guard let value = record.header(name), !value.isEmpty else { throw .missingAttribute(name) }
        return value
    }

    /// RFC 3339 in UTC with exactly three fractional digits, computed from
    /// whole milliseconds so that decoding gives back the same instant.
    static func formatTime(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let adjusted = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let whole = Date(timeIntervalSince1970: TimeInterval(adjusted.0)).formatted(wholeSecondStyle)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - String(adjusted.1).count) + String(adjusted.1) + "Z"
    }

    /// Parses RFC 3339 UTC times with or without fractional seconds; digits
    /// past milliseconds are ignored.
    static func parseTime(_ text: String) -> Date? {
        guard text.hasSuffix("Z") else { return nil }
        let parts = text.dropLast().split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = try? wholeSecondStyle.parse(parts[0] + "Z") else { return nil }
        var milliseconds = 0
        if parts.count == 2 {
            let digits = parts[1].prefix(3)
            guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isNumber),
                let value = Int(digits.padding(toLength: 3, withPad: "0", startingAt: 0))
            else { return nil }
            milliseconds = value
        }
        return Date(timeIntervalSince1970: whole.timeIntervalSince1970.rounded() + Double(milliseconds) / 1000)
    }

    private static func encodeData(_ event: RegistryEvent) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain value types cannot fail.
        let data: Data? = switch event {
        case .namespaceCreated(let payload): try? encoder.encode(payload)
        case .namespaceUpdated(let payload): try? encoder.encode(payload)
        case .namespaceDeleted(let payload): try? encoder.encode(payload)
        case .imageCreated(let payload): try? encoder.encode(payload)
        case .imageResolved(let payload): try? encoder.encode(payload)
        case .imageDeleted(let payload): try? encoder.encode(payload)
        case .imageStatusChanged(let change): try? encoder.encode(change.payload)
        case .imageImportRequested(let payload): try? encoder.encode(payload)
        case .imageImportFailed(let payload): try? encoder.encode(payload)
        case .collaboratorAdded(let payload), .collaboratorRemoved(let payload): try? encoder.encode(payload)
        case .inviteSent(let payload), .inviteAccepted(let payload), .inviteRejected(let payload):
            try? encoder.encode(payload)
        case .webhookCreated(let payload): try? encoder.encode(payload)
        case .webhookDeleted(let payload): try? encoder.encode(payload)
        case .webhookRedeliveryRequested(let payload): try? encoder.encode(payload)
        case .quotaSet(let payload): try? encoder.encode(payload)
        }
        return Array(data ?? Data())
    }

    private static func invitation(from data: Data, _ decoder: JSONDecoder) throws -> Invitation {
        let invite = try decoder.decode(Invitation.self, from: data)
        try invite.validate()
        return invite
    }

    /// The event of `type` whose data is the JSON `bytes`, checked as a
    /// record's data is (an event the log holds, stored again elsewhere).
    public static func decodeData(type: EventType, from bytes: [UInt8]) throws(PoisonEventError) -> RegistryEvent {
        let decoder = JSONDecoder()
        let data = Data(bytes)
        do {
            switch type {
            case .namespaceCreated:
                return .namespaceCreated(try decoder.decode(NamespaceCreated.self, from: data))
            case .namespaceUpdated:
                let payload = try decoder.decode(NamespaceUpdated.self, from: data)
                try payload.validate()
                return .namespaceUpdated(payload)
            case .namespaceDeleted:
                return .namespaceDeleted(try decoder.decode(NamespaceDeleted.self, from: data))
            case .imageCreated:
                let payload = try decoder.decode(ImageCreated.self, from: data)
                try payload.validate()
                return .imageCreated(payload)
            case .imageResolved:
                return .imageResolved(try decoder.decode(ImageResolved.self, from: data))
            case .imageDeleted:
                return .imageDeleted(try decoder.decode(ImageDeleted.self, from: data))
            case .imageDeprecated, .imageRevoked, .imageRestored:
                let kind: ImageStatusChange.Kind = type == .imageDeprecated ? .deprecated
                    : type == .imageRevoked ? .revoked : .restored
                let change = try ImageStatusChange(
                    kind: kind, payload: try decoder.decode(ImageStatusChange.Payload.self, from: data))
                try change.validate()
                return .imageStatusChanged(change)
            case .imageImportRequested:
                let payload = try decoder.decode(ImageImportRequested.self, from: data)
                _ = try payload.scope()
                return .imageImportRequested(payload)
            case .imageImportFailed:
                let payload = try decoder.decode(ImageImportFailed.self, from: data)
                guard ImportFailureCode(rawValue: payload.code) != nil else {
                    throw NameError(field: "code", message: "is not a reason an import fails (got \"\(payload.code)\")")
                }
                return .imageImportFailed(payload)
            case .collaboratorAdded:
                return .collaboratorAdded(try decoder.decode(CollaboratorChanged.self, from: data))
            case .collaboratorRemoved:
                return .collaboratorRemoved(try decoder.decode(CollaboratorChanged.self, from: data))
            case .inviteSent:
                return .inviteSent(try invitation(from: data, decoder))
            case .inviteAccepted:
                return .inviteAccepted(try invitation(from: data, decoder))
            case .inviteRejected:
                return .inviteRejected(try invitation(from: data, decoder))
            case .webhookCreated:
                let payload = try decoder.decode(WebhookCreated.self, from: data)
                try payload.validate()
                return .webhookCreated(payload)
            case .webhookDeleted:
                return .webhookDeleted(try decoder.decode(WebhookDeleted.self, from: data))
            case .webhookRedeliveryRequested:
                return .webhookRedeliveryRequested(try decoder.decode(WebhookRedeliveryRequested.self, from: data))
            case .quotaSet:
                let payload = try decoder.decode(QuotaSet.self, from: data)
                try payload.validate()
                return .quotaSet(payload)
            }
        } catch let error as NameError {
            throw .invalidData(error.description)
        } catch let error as DecodingError {
            throw .invalidData(DecodingErrorDescription.describe(error))
        } catch {
            throw .invalidData(String(describing: error))
        }
    }
}
