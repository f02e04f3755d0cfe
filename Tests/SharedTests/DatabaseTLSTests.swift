import Foundation
import PostgresNIO
import Shared
import TestSupport
import Testing

/// `sslmode` in DATABASE_URL against the test server, which `scripts/test` starts with TLS on and a
/// certificate for `localhost` signed by the authority in `TEST_DATABASE_CA`.
@Suite("Database TLS honours sslmode", .enabled(if: ProcessInfo.processInfo.environment["TEST_DATABASE_CA"] != nil))
struct DatabaseTLSTests {
    let authority = ProcessInfo.processInfo.environment["TEST_DATABASE_CA"] ?? ""

    /// The test server's admin URL with `localhost` for its host and `query` appended.
    func url(host: String = "localhost", _ query: String) throws -> String {
        var components = try #require(URLComponents(string: TestDatabase.adminURL))
        components.host = host
        components.percentEncodedQuery = query
        return try #require(components.string)
    }

    /// Whether the connection the URL makes is encrypted, as the server itself reports it.
    func encrypted(_ url: String) async throws -> Bool {
        try await TestDatabase.withClient(url) { client in
            try await withTimeout(.seconds(15)) {
                var ssl = false
                for try await value in try await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").decode(Bool.self) {
                    ssl = value
                }
                return ssl
            }
        }
    }

    @Test func verifyFullWithTheServersAuthorityConnectsEncrypted() async throws {
        #expect(try await encrypted(try url("sslmode=verify-full&sslrootcert=\(authority)")))
    }

    @Test func requireEncryptsWithoutAnAuthority() async throws {
        #expect(try await encrypted(try url(host: "127.0.0.1", "sslmode=require")))
    }

    @Test func disableConnectsInTheClear() async throws {
        #expect(try await encrypted(try url("sslmode=disable")) == false)
    }

    /// What the pool logged while it failed to connect with `url` (the query must fail within 5 s).
    func refusal(_ url: String) async throws -> String {
        let logs = LogCapture()
        let client = PostgresClient(configuration: try DatabaseURL.configuration(from: url, poolSize: 1), backgroundLogger: logs.logger())
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            await #expect(throws: (any Error).self) {
                try await withTimeout(.seconds(5)) { _ = try await client.query("SELECT 1") }
            }
            group.cancelAll()
        }
        return logs.all.joined(separator: "\n")
    }

    @Test func verifyFullRefusesAServerItsAuthorityDidNotSign() async throws {
        let stranger = try TestCertificates.make(naming: ["localhost"])
        defer { stranger.remove() }
        let logged = try await refusal(try url("sslmode=verify-full&sslrootcert=\(stranger.authority)"))
        // The handshake failed on the certificate, not on anything else.
        #expect(logged.contains("CERTIFICATE_VERIFY_FAILED") || logged.contains("certificate verify failed"), "\(logged.prefix(2000))")
    }

    @Test func verifyCAWithAnotherAuthorityIsRefusedToo() async throws {
        let stranger = try TestCertificates.make(naming: ["localhost"])
        defer { stranger.remove() }
        let logged = try await refusal(try url(host: "127.0.0.1", "sslmode=verify-ca&sslrootcert=\(stranger.authority)"))
        #expect(logged.contains("CERTIFICATE_VERIFY_FAILED") || logged.contains("certificate verify failed"), "\(logged.prefix(2000))")
    }

    @Test func verifyCAChecksTheChainButNotTheName() async throws {
        #expect(try await encrypted(try url(host: "127.0.0.1", "sslmode=verify-ca&sslrootcert=\(authority)")))
    }
}
