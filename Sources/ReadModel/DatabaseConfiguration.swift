import Foundation
import PostgresNIO

/// Where the read model lives, parsed from a `postgres://user:password@host:port/database` URL.
public struct DatabaseConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String

    public init(host: String, port: Int, username: String, password: String?, database: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses a `postgres://` or `postgresql://` URL.
    public init(url: String) throws {
        guard let components = URLComponents(string: url),
            ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty,
            let username = components.user
        else {
            throw ConfigurationError("database URL must look like postgres://user[:password]@host[:port]/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        self.init(
            host: host, port: components.port ?? 5432, username: username,
            password: components.password, database: database.isEmpty ? username : database
        )
    }

    /// Settings for a pooled PostgresNIO client whose statements name tables
    /// without a schema and so use `schema` (the live read model by default).
    public func clientConfiguration(maximumConnections: Int = 10, schema: ReadModelSchema = .live)
        -> PostgresClient.Configuration
    {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: .disable
        )
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [("search_path", schema.name)]
        return configuration
    }
}

/// A setting that is missing or cannot be used as given.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
