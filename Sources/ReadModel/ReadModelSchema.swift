/// A PostgreSQL schema that holds one copy of the read model.
///
/// Services read and write the live copy, always named `read_model`, through
/// their connections' `search_path`, so every statement names tables without
/// a schema. A rebuild fills another schema beside it and then renames the
/// two in one transaction (``ReadModelSwitch``).
public struct ReadModelSchema: Sendable, Hashable, CustomStringConvertible {
    /// The copy that queries and the projection use.
    public static let live = ReadModelSchema(validated: "read_model")

    /// The schema's name, as PostgreSQL knows it.
    public let name: String

    /// A schema name of lowercase letters, digits and underscores, starting
    /// with a letter, at most 63 bytes (PostgreSQL's identifier limit).
    public init(_ name: String) throws {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), name.utf8.count <= 63,
            name.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            throw ConfigurationError("read-model schema names are lowercase letters, digits and underscores: \(name)")
        }
        self.name = name
    }

    private init(validated name: String) {
        self.name = name
    }

    /// The name as an SQL identifier; safe to splice into SQL text because
    /// the initializer admits only plain lowercase names.
    public var identifier: String { "\"\(name)\"" }

    public var description: String { name }
}
