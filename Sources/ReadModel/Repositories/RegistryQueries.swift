/// Every question the services ask the read model: one repository per
/// aggregate. A controller that needs only some of them names only those.
public protocol RegistryQueries:
    ImageRepository, NamespaceRepository, InviteRepository, WebhookRepository, ImportRepository, AuditRepository,
    DeadLetterRepository, ProjectionPositions, RetentionRepository, QuotaRepository
{}
