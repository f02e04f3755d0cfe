import Foundation
import Hummingbird
import Shared
import Testing

@Suite("Secrets are refused at start when they are placeholders or short")
struct SecretPolicyTests {
    static let good = "5eb201990d15b633215c899a95d096537752981ad83796eb"

    @Test(arguments: ["change-me-catalog-introspection-0123456789", "REPLACE-catalog-introspection-0123456789", "changeme0123456789abcdefghijklmnop"])
    func placeholdersAreRefusedNamingTheVariable(value: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try Environment(values: ["INTROSPECTION_CLIENT_SECRET": value]).secret("INTROSPECTION_CLIENT_SECRET", purpose: "p")
        }
        #expect(error?.description.hasPrefix("INTROSPECTION_CLIENT_SECRET is a placeholder") == true)
    }

    @Test func aSecretUnder32CharactersIsRefused() {
        let error = #expect(throws: ConfigurationError.self) {
            try Environment(values: ["CATALOG_CLIENT_SECRET": String(Self.good.prefix(31))]).secret("CATALOG_CLIENT_SECRET", purpose: "p")
        }
        #expect(error?.description.contains("CATALOG_CLIENT_SECRET is 31 characters long") == true)
        #expect(throws: Never.self) {
            try Environment(values: ["CATALOG_CLIENT_SECRET": String(Self.good.prefix(32))]).secret("CATALOG_CLIENT_SECRET", purpose: "p")
        }
    }

    @Test func aMissingSecretSaysWhatItIsFor() {
        let error = #expect(throws: ConfigurationError.self) {
            try Environment(values: [:]).secret("REPORTS_CLIENT_SECRET", purpose: "delivering events")
        }
        #expect(error?.description == "REPORTS_CLIENT_SECRET must be set: delivering events")
    }

    @Test func aRepeatedCharacterIsNotASecret() {
        #expect(throws: ConfigurationError.self) { try SecretPolicy.check(String(repeating: "ab", count: 20), variable: "X") }
    }

    @Test func internalClientsCheckEverySecretAndNameTheClient() {
        let error = #expect(throws: ConfigurationError.self) {
            try InternalCallers(
                environment: Environment(values: ["INTERNAL_CLIENTS": "catalog:\(Self.good),interviews:change-me-interviews-introspection"]))
        }
        #expect(error?.description.hasPrefix("INTERNAL_CLIENTS (the secret of interviews) is a placeholder") == true)
        #expect(throws: Never.self) { try InternalCallers(environment: Environment(values: ["INTERNAL_CLIENTS": "catalog:\(Self.good)"])) }
    }

    @Test func aPlaceholderDatabasePasswordIsRefused() {
        let url = "postgres://evalyo_keys:change-me-keys-db@db:5432/evalyo_keys"
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(environment: Environment(values: ["DATABASE_URL": url]), defaultPort: 8081, defaultDatabase: "evalyo_keys")
        }
        #expect(error?.description.hasPrefix("DATABASE_URL's password is a placeholder") == true)
    }

    @Test func theAuthCacheLifetimeIsAtMostAMinute() throws {
        let base = ["INTROSPECTION_CLIENT_SECRET": Self.good]
        #expect(throws: ConfigurationError.self) {
            try AuthConfiguration(environment: Environment(values: base.merging(["AUTH_CACHE_TTL": "61"]) { $1 }), serviceName: "catalog")
        }
        let accepted = try AuthConfiguration(environment: Environment(values: base.merging(["AUTH_CACHE_TTL": "60"]) { $1 }), serviceName: "catalog")
        #expect(accepted.cacheTTL == .seconds(60))
    }

    @Test func makeEnvWritesADistinctGoodSecretForEveryPlaceholder() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("make-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent(".env").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.appendingPathComponent("scripts/make-env").path, target]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let example = try String(contentsOf: root.appendingPathComponent(".env.example"), encoding: .utf8)
        let placeholders = example.split(separator: "\n").filter { $0.contains("=change-me-") }.map { String($0.prefix { $0 != "=" }) }
        let written = Dictionary(
            uniqueKeysWithValues: try String(contentsOfFile: target, encoding: .utf8).split(separator: "\n")
                .filter { !$0.hasPrefix("#") && $0.contains("=") }
                .map { line in (String(line.prefix { $0 != "=" }), String(line.drop { $0 != "=" }.dropFirst())) })
        #expect(placeholders.count >= 10)
        let secrets = placeholders.compactMap { written[$0] }
        #expect(secrets.count == placeholders.count)
        #expect(Set(secrets).count == secrets.count, "two variables share a secret")
        #expect(secrets.allSatisfy { SecretPolicy.problem(with: $0) == nil })
    }
}
