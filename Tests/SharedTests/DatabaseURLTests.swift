import Foundation
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

@Suite("Database URL's sslmode")
struct DatabaseURLTLSTests {
    @Test(arguments: ["disable", "prefer", "require", "verify-ca"])
    func everyLibpqModeButAllowIsUnderstood(mode: String) throws {
        _ = try DatabaseURL.configuration(from: "postgres://u:p@10.0.0.5/db?sslmode=\(mode)")
    }

    @Test func verifyFullNeedsAHostNameNotAnAddress() throws {
        _ = try DatabaseURL.configuration(from: "postgres://u:p@db.internal/db?sslmode=verify-full")
        #expect(throws: ConfigurationError.self) { try DatabaseURL.configuration(from: "postgres://u:p@10.0.0.5/db?sslmode=verify-full") }
        #expect(throws: ConfigurationError.self) { try DatabaseURL.configuration(from: "postgres://u:p@[::1]/db?sslmode=verify-full") }
    }

    @Test func aRootCertificateThatCannotBeReadIsRefusedAtStart() throws {
        #expect(throws: ConfigurationError.self) {
            try DatabaseURL.configuration(from: "postgres://u:p@db.internal/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt")
        }
        let notPEM = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-certificate-\(UUID().uuidString).crt")
        try Data("hello".utf8).write(to: notPEM)
        defer { try? FileManager.default.removeItem(at: notPEM) }
        #expect(throws: ConfigurationError.self) {
            try DatabaseURL.configuration(from: "postgres://u:p@db.internal/db?sslmode=verify-full&sslrootcert=\(notPEM.path)")
        }
    }

}
