import Foundation
import TestSupport
import Testing

/// A key service that hangs (paused, or its database or Redis ledger paused) stops no key it verified moments
/// ago: every resource service serves the cached key at once, each instance counting its limits
/// alone, and counts with the ledger again once the key service answers.
@Suite("A stalled key service holds no request of a cached, limited key", .serialized)
struct StalledKeyServiceTests {
    static let services = ["catalog", "interviews", "reports"]

    /// `count` GETs of `/api/v1/me` at once on `url`: each status and how long it took.
    static func burst(_ url: String, key: String, count: Int) async throws -> [(status: Int, seconds: Double)] {
        try await withThrowingTaskGroup(of: (Int, Double).self) { group in
            for _ in 0..<count {
                group.addTask {
                    let started = Date()
                    let answer = try await HTTPExchange.send(.GET, url + "/api/v1/me", headers: [("Authorization", "Bearer \(key)")])
                    return (answer.status, Date().timeIntervalSince(started))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// Three seconds with the key service stalled by `pause`, then resumed by `resume`.
    static func check(_ platform: Platform, pause: () async throws -> Void, resume: () async throws -> Void) async throws {
        let key = try await platform.keyService.newOrganization(plan: ["starter"]).key(["jobs:read"]).key
        let urls = [platform.catalogURL, platform.interviewsURL, platform.reportsURL]
        // The window first, then the answers cached: waiting for a minute with room can take
        // longer than the cache lifetime (10 s), and a key no longer cached is rightly a 503.
        try await RateLimitTests.waitForFreshWindow(minuteRoom: 10)
        for url in urls {
            #expect(try await HTTPExchange.send(.GET, url + "/api/v1/me", headers: [("Authorization", "Bearer \(key)")]).status == 200)
        }

        try await pause()
        for second in 0..<3 {
            for (service, url) in zip(services, urls) {
                let answers = try await burst(url, key: key, count: 12)
                let statuses = answers.map(\.status)
                #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 }, "\(service), second \(second): \(statuses)")
                // The first burst pays for one lease given up (100 ms); the others wait for nothing.
                #expect(answers.allSatisfy { $0.seconds < 0.6 }, "\(service), second \(second): \(answers.map(\.seconds).max() ?? 0) s")
                // Each instance alone still keeps the key within 10 a second.
                #expect((1...10).contains(statuses.filter { $0 == 200 }.count), "\(service), second \(second): \(statuses)")
            }
            try await RateLimitTests.waitForFreshWindow()
        }
        try await resume()

        // Back on the ledger: a lease answered brings each instance back, then 30 requests in one
        // second across the three services get 10 between them, not 10 each.
        let deadline = Date().addingTimeInterval(5)
        var back = false
        while !back, Date() < deadline {
            try await Task.sleep(for: .milliseconds(300))
            back = true
            for url in urls {
                let metrics = try await HTTPExchange.send(.GET, url + "/metrics")
                if !metrics.body.contains("rate_limit_counting_alone 0") { back = false }
                _ = try await burst(url, key: key, count: 1)
            }
        }
        #expect(back, "the services still count alone")
        try await RateLimitTests.waitForFreshWindow(minuteRoom: 5)
        let together = try await withThrowingTaskGroup(of: [(status: Int, seconds: Double)].self) { group in
            for url in urls { group.addTask { try await burst(url, key: key, count: 10) } }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let allowed = together.filter { $0.status == 200 }.count
        #expect(allowed <= 10 && allowed >= 1, "\(together.map(\.status))")
    }

    @Test func aPausedKeyServiceLeavesCachedKeysServedWithinTheirLimits() async throws {
        let platform = try await Platform.launch()
        defer { Task { _ = await platform.stop() } }
        let keyService = platform.processes[0]
        try await Self.check(platform, pause: { keyService.signal(SIGSTOP) }, resume: { keyService.signal(SIGCONT) })
    }

    @Test func aKeyServiceWhoseDatabaseIsPausedLeavesCachedKeysServed() async throws {
        let database = try await PrivatePostgres.start()
        let platform = try await Platform.launch(keyServiceDatabaseURL: database.url)
        defer {
            Task {
                _ = await platform.stop()
                try? await database.remove()
            }
        }
        try await Self.check(platform, pause: { try await database.pause() }, resume: { try await database.resume() })
        // Its cluster outlives the test process unless stopped here (the deferred task is a fallback).
        _ = await platform.stop()
        try await database.remove()
    }

    @Test func aKeyServiceWhoseRedisLedgerIsPausedLeavesCachedKeysServed() async throws {
        let redis = try await PrivateRedis()
        let platform = try await Platform.launch(keyServiceEnvironment: ["RATE_LIMIT_STORE": redis.url])
        defer {
            Task {
                _ = await platform.stop()
                try? await redis.stop()
            }
        }
        try await Self.check(platform, pause: { redis.pause() }, resume: { redis.resume() })
    }
}
