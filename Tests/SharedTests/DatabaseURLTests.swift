import Shared
import Testing

@Suite("Database URL")
struct DatabaseURLTests {
    @Test func aFullURLIsParsed() throws {
        let configuration = try DatabaseURL.configuration(from: "postgres://user:p%40ss@db.local:6543/evalyo_keys", poolSize: 7)
        #expect(configuration.host == "db.local")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "user")
        #expect(configuration.password == "p@ss")
        #expect(configuration.database == "evalyo_keys")
        #expect(configuration.options.maximumConnections == 7)
    }

    @Test(arguments: ["", "mysql://u:p@h/db", "postgres://h/db", "postgres://u:p@h:5432", "postgres://u:p@h/db?sslmode=maybe"])
    func malformedURLsAreRefusedWithAClearMessage(url: String) {
        #expect(throws: ConfigurationError.self) { try DatabaseURL.configuration(from: url) }
    }
}
