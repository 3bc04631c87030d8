import Testing
@testable import ReadModel

@Suite("Database URLs")
struct DatabaseConfigurationTests {
    @Test("a full URL is read field by field")
    func fullURL() throws {
        let configuration = try DatabaseConfiguration(url: "postgres://reg:secret@db.internal:6543/registry")
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "reg")
        #expect(configuration.password == "secret")
        #expect(configuration.database == "registry")
    }

    @Test("port and database have defaults")
    func defaults() throws {
        let configuration = try DatabaseConfiguration(url: "postgresql://reg@127.0.0.1")
        #expect(configuration.port == 5432)
        #expect(configuration.database == "reg")
        #expect(configuration.password == nil)
    }

    @Test("anything else is refused", arguments: ["mysql://a@b/c", "postgres://host/db", "not a url", ""])
    func refused(_ url: String) {
        #expect(throws: ConfigurationError.self) { try DatabaseConfiguration(url: url) }
    }
}
