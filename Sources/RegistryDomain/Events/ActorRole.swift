/// Whether an event's actor acted as an administrator. Ingest records it in
/// each event (the CloudEvents extension `actorrole`), because the fold
/// cannot derive it from the log: it comes from the caller's token.
public enum ActorRole: String, Sendable, Equatable {
    case user
    case administrator

    /// The role `viewer` acts in.
    public init(_ viewer: Viewer) {
        self = viewer.isAdministrator ? .administrator : .user
    }
}
