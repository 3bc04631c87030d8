import Foundation
import RegistryDomain

/// The audit trail: every event the projection read, in log order.
public protocol AuditRepository: Sendable {
    /// The audit entries of those of `ids` that were applied, by event id.
    func appliedEvents(ids: [UUID]) async throws -> [UUID: AuditEntry]

    /// Audit entries matching `filter`, in log order.
    func audit(_ filter: AuditFilter) async throws -> [AuditEntry]
}

extension AuditRepository {
    /// The audit entry of one applied event, if it was applied.
    public func appliedEvent(id: UUID) async throws -> AuditEntry? {
        try await appliedEvents(ids: [id])[id]
    }
}
