/// The answer of a command the registry recorded but has not projected yet
/// (`202 {"event": …}`); with `?wait=true` the projected resource comes instead.
public struct AcceptedResource: Codable, Sendable, Equatable {
    public let event: EventReference

    public init(event: EventReference) {
        self.event = event
    }
}
