import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import KeyService

@Suite("Console sign-in is throttled per email and client address, in PostgreSQL")
struct SignInThrottleTests {
    static let realIP = HTTPField.Name("X-Real-IP")!

    /// A documentation address (RFC 5737) of its own for each test.
    static func address() -> String { "198.51.100.\(Int.random(in: 1...254))" }

    static func signIn(_ client: KeyServiceHarness.Client, email: String, password: String, from address: String) async throws -> TestResponse {
        try await client.console(
            .post, "/console/api/session", cookie: nil, body: ["email": email, "password": password],
            headers: [Self.realIP: address, .origin: "http://localhost"])
    }

    @Test func afterFiveFailuresForOneEmailTheSixthIs429WithoutCheckingThePassword() async throws {
        try await KeyServiceHarness().run { client in
            let email = try await client.createOrganization()
            let address = Self.address()
            for _ in 1...5 {
                #expect(try await Self.signIn(client, email: email, password: "wrong password", from: address).status == .unauthorized)
            }
            // The right password now changes nothing: it is not checked.
            let refused = try await Self.signIn(client, email: email, password: KeyServiceHarness.password, from: address)
            #expect(refused.status == .tooManyRequests)
            #expect(try errorOf(refused).code == "RATE_LIMITED")
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap(Int.init))
            #expect((890...900).contains(retryAfter))
            // The count is per email and per address: another address, or another email, goes on.
            #expect(try await Self.signIn(client, email: email, password: KeyServiceHarness.password, from: "203.0.113.7").status == .ok)
            #expect(
                try await Self.signIn(client, email: "other-\(UUID())@example.com", password: "x-password", from: address).status == .unauthorized)
            // Any spelling of the email counts as the same email.
            #expect(
                try await Self.signIn(client, email: email.uppercased(), password: KeyServiceHarness.password, from: address).status
                    == .tooManyRequests)
        }
    }

    /// The throttle, the lookup and uniqueness fold an email one way. Under PostgreSQL's `lower()`
    /// (C.UTF-8) "İ" (U+0130) is "i" and the Kelvin sign is "k", while Swift's `lowercased()`
    /// makes "i" and U+0307 of the first: each spelling got its own five tries at one account.
    @Test(arguments: ["\u{130}", "\u{212A}"])
    func everySpellingOfAnEmailIsOneAccountAndOneCount(spelling: String) async throws {
        try await KeyServiceHarness().run { client in
            let plain = spelling == "\u{130}" ? "i" : "k"
            let email = "adm\(plain)n-\(UUID())@example.com"
            try await client.createOrganization(email: email)
            let variant = email.replacingOccurrences(of: "adm\(plain)n", with: "adm\(spelling)n")
            let address = Self.address()
            for _ in 1...5 {
                #expect(try await Self.signIn(client, email: email.uppercased(), password: "wrong password", from: address).status == .unauthorized)
            }
            // The variant is not this account: it neither signs in with the right password nor
            // escapes the count the account's own spellings share.
            #expect(try await Self.signIn(client, email: variant, password: KeyServiceHarness.password, from: address).status == .unauthorized)
            #expect(try await Self.signIn(client, email: email, password: KeyServiceHarness.password, from: address).status == .tooManyRequests)
            #expect(try await Self.signIn(client, email: variant, password: KeyServiceHarness.password, from: "203.0.113.9").status == .unauthorized)
            // And it is another address as far as uniqueness goes; the ASCII spellings are not.
            try await client.createOrganization(email: variant)
            await #expect(throws: AccountConflict.emailExists) { try await client.createOrganization(email: email.uppercased()) }
        }
    }

    @Test func theFoldLowersASCIILettersOnly() {
        #expect(EmailAddress.fold("Ada.LOVELACE+Tag@Example.COM") == "ada.lovelace+tag@example.com")
        #expect(EmailAddress.fold("\u{130}\u{212A}\u{C9}SS@x.io") == "\u{130}\u{212A}\u{C9}ss@x.io")
    }

    @Test func aSuccessClearsTheEarlierFailures() async throws {
        try await KeyServiceHarness().run { client in
            let email = try await client.createOrganization()
            let address = Self.address()
            for _ in 1...4 { _ = try await Self.signIn(client, email: email, password: "wrong password", from: address) }
            #expect(try await Self.signIn(client, email: email, password: KeyServiceHarness.password, from: address).status == .ok)
            for _ in 1...4 {
                #expect(try await Self.signIn(client, email: email, password: "wrong password", from: address).status == .unauthorized)
            }
            #expect(try await Self.signIn(client, email: email, password: KeyServiceHarness.password, from: address).status == .ok)
        }
    }

    @Test func beyondThirtyAttemptsAMinuteFromOneAddressIs429() async throws {
        try await KeyServiceHarness().run { client in
            let address = Self.address()
            for index in 1...30 {
                let answer = try await Self.signIn(client, email: "guess-\(index)@example.com", password: "wrong password", from: address)
                #expect(answer.status == .unauthorized, "attempt \(index)")
            }
            let refused = try await Self.signIn(client, email: "guess-31@example.com", password: "wrong password", from: address)
            #expect(refused.status == .tooManyRequests)
            #expect(try #require(refused.headers[.retryAfter].flatMap(Int.init)) <= 60)
        }
    }

    @Test func concurrentAttemptsCannotSlipPastTheCount() async throws {
        try await KeyServiceHarness().run { client in
            let email = try await client.createOrganization()
            let address = Self.address()
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await Self.signIn(client, email: email, password: "wrong password", from: address).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 15)
        }
    }

    /// Sign-ins waiting for their address's turn wait on the throttle's own connections: with the
    /// address's lock held elsewhere (another replica, say) and more sign-ins queued behind it
    /// than the main pool has connections, introspection still answers. Before, every one of
    /// them held a connection of the main pool while it waited, and introspection waited too.
    @Test func signInsQueuedBehindAnAddressLeaveIntrospectionItsConnections() async throws {
        let harness = try await KeyServiceHarness(environment: ["DATABASE_POOL_SIZE": "2"])
        try await harness.run { client in
            let key = try #require(try await client.createKey(cookie: try await client.signedInAdmin()).key)
            let address = Self.address()
            try await TestDatabase.withClient(harness.databaseURL) { postgres in
                try await postgres.withConnection { connection in
                    try await connection.query(
                        "SELECT pg_advisory_lock(\(SignInThrottle.lockSpace), hashtext(\(address)))", logger: Logger(label: "test"))
                    let queued = Task {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for index in 0..<6 {
                                group.addTask {
                                    _ = try await Self.signIn(client, email: "queued-\(index)@example.com", password: "wrong password", from: address)
                                }
                            }
                            try await group.waitForAll()
                        }
                    }
                    try await Task.sleep(for: .milliseconds(300))
                    // Introspection within three seconds, while all six still wait for the lock.
                    let answered = await withTaskGroup(of: Bool.self) { group in
                        group.addTask { (try? await client.introspect(key).status) == .ok }
                        group.addTask {
                            try? await Task.sleep(for: .seconds(3))
                            return false
                        }
                        let first = await group.next() ?? false
                        group.cancelAll()
                        try? await connection.query("SELECT pg_advisory_unlock_all()", logger: Logger(label: "test"))
                        await group.waitForAll()
                        return first
                    }
                    #expect(answered, "introspection waited for a connection held by a queued sign-in")
                    try await queued.value
                }
            }
        }
    }

    /// A refused address is refused from memory until its Retry-After: a flood from it costs no
    /// transaction (here, its advisory lock is held elsewhere, and the 429 comes all the same).
    @Test func aRefusedAddressIsRefusedWithoutAskingTheDatabaseAgain() async throws {
        let harness = try await KeyServiceHarness()
        try await harness.run { client in
            let address = Self.address()
            for index in 1...30 { _ = try await Self.signIn(client, email: "flood-\(index)@example.com", password: "wrong password", from: address) }
            #expect(
                try await Self.signIn(client, email: "flood-31@example.com", password: "wrong password", from: address).status == .tooManyRequests)
            try await TestDatabase.withClient(harness.databaseURL) { postgres in
                try await postgres.withConnection { connection in
                    try await connection.query(
                        "SELECT pg_advisory_lock(\(SignInThrottle.lockSpace), hashtext(\(address)))", logger: Logger(label: "test"))
                    let refused = await withTaskGroup(of: HTTPResponse.Status?.self) { group in
                        group.addTask {
                            try? await Self.signIn(client, email: "flood-32@example.com", password: "wrong password", from: address).status
                        }
                        group.addTask {
                            try? await Task.sleep(for: .seconds(3))
                            return nil
                        }
                        let first = await group.next() ?? nil
                        group.cancelAll()
                        try? await connection.query("SELECT pg_advisory_unlock_all()", logger: Logger(label: "test"))
                        await group.waitForAll()
                        return first
                    }
                    #expect(refused == .tooManyRequests)
                }
            }
        }
    }

    @Test func theCountsOutliveTheProcess() async throws {
        let harness = try await KeyServiceHarness()
        let address = Self.address()
        let email = "restart-\(UUID())@example.com"
        try await harness.run { client in
            for _ in 1...5 { _ = try await Self.signIn(client, email: email, password: "wrong password", from: address) }
        }
        // A new application on the same database: a restart, or another replica.
        try await harness.run { client in
            let status = try await Self.signIn(client, email: email, password: "wrong password", from: address).status
            #expect(status == .tooManyRequests)
        }
    }

    @Test func passwordChecksBeyondThePoolAndItsQueueAre503AtOnce() async throws {
        try await KeyServiceHarness(environment: ["BCRYPT_COST": "11", "PASSWORD_CHECK_THREADS": "1", "PASSWORD_CHECK_QUEUE": "1"]).run { client in
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for index in 0..<8 {
                    group.addTask {
                        let answer = try await Self.signIn(
                            client, email: "busy-\(index)@example.com", password: "wrong password", from: "192.0.2.\(index + 1)")
                        return (answer.status, answer.headers[.retryAfter])
                    }
                }
                return try await group.reduce(into: [(HTTPResponse.Status, String?)]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0.0 == .unauthorized || $0.0 == .serviceUnavailable })
            #expect(statuses.contains { $0.0 == .serviceUnavailable && $0.1 == "1" })
            #expect(statuses.filter { $0.0 == .unauthorized }.count >= 2)
        }
    }

    @Test func onlyATrustedProxyChoosesTheClientAddress() throws {
        let addresses = try ClientAddress(environment: Environment(values: ["TRUSTED_PROXIES": "10.0.0.0/8,172.16.0.0/12,::1"]))
        let inside = try #require(ClientAddress.parse("10.200.3.4"))
        let edge = try #require(ClientAddress.parse("172.31.255.255"))
        let outside = try #require(ClientAddress.parse("172.32.0.1"))
        let public6 = try #require(ClientAddress.parse("2001:db8::1"))
        #expect(addresses.trusted.contains { $0.contains(inside) })
        #expect(addresses.trusted.contains { $0.contains(edge) })
        #expect(!addresses.trusted.contains { $0.contains(outside) })
        #expect(!addresses.trusted.contains { $0.contains(public6) })
        let loopback6 = try #require(ClientAddress.parse("::1"))
        #expect(addresses.trusted.contains { $0.contains(loopback6) })
        #expect(throws: ConfigurationError.self) { try ClientAddress(environment: Environment(values: ["TRUSTED_PROXIES": "10.0.0.0/33"])) }
        #expect(throws: ConfigurationError.self) { try ClientAddress(environment: Environment(values: ["TRUSTED_PROXIES": "gateway"])) }
    }
}
