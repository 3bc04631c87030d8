/// Why a record could not be turned into an event. The projection
/// dead-letters such a record and moves on; it never blocks a partition.
public enum PoisonEventError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingAttribute(String)
    case unsupportedSpecVersion(String)
    case unknownType(String)
    case unsupportedSchemaVersion(String)
    case invalidAttribute(name: String, value: String)
    case invalidData(String)

    public var description: String {
        switch self {
        case .missingAttribute(let name): "missing CloudEvents attribute \(name)"
        case .unsupportedSpecVersion(let version): "unsupported CloudEvents specversion \(version)"
        case .unknownType(let type): "unknown event type \(type)"
        case .unsupportedSchemaVersion(let version): "unsupported schema version \(version)"
        case .invalidAttribute(let name, let value): "invalid value \"\(value)\" for attribute \(name)"
        case .invalidData(let reason): "undecodable event data: \(reason)"
        }
    }
}
