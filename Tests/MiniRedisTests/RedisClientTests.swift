import Foundation
import Logging
import NIOCore
import NIOEmbedded
import TestSupport
import Testing

@testable import MiniRedis

/// The Redis client against a real redis-server: answers paired with their commands however
/// many are in flight, scripts, sign-in, and what happens when the server stalls or goes away.
@Suite("The Redis client against a real redis-server")
struct RedisClientTests {
    static func client(_ url: String, connections: Int = 2, timeout: Duration = .seconds(2)) throws -> RedisClient {
        RedisClient(configuration: try RedisConfiguration(url: url, connections: connections, timeout: timeout), logger: Logger(label: "redis-test"))
    }

    /// A key of this test's own on the shared server.
    static func key(_ name: String = "k") -> String { "test:\(UUID().uuidString):\(name)" }

    @Test func commandsAndTheirAnswers() async throws {
        let redis = try Self.client(try TestRedis.url())
        defer { Task { await redis.close() } }
        let key = Self.key()
        #expect(try await redis.send(["PING"]) == .simpleString("PONG"))
        #expect(try await redis.send(["GET", key]) == .bulkString(nil))
        #expect(try await redis.send(["SET", key, "héllo wörld\r\n*3"]) == .simpleString("OK"))
        #expect(try await redis.send(["GET", key]).string == "héllo wörld\r\n*3")
        #expect(try await redis.send(["DEL", key]) == .integer(1))
        #expect(try await redis.send(["INCRBY", key, "41"]).integer == 41)
        #expect(try await redis.send(["INCRBY", key, "-42"]).integer == -1)
        // An error answer is an error, and the connection goes on.
        await #expect(throws: RedisError.server("WRONGTYPE Operation against a key holding the wrong kind of value")) {
            try await redis.send(["LPUSH", key, "x"])
        }
        #expect(try await redis.send(["EXPIRE", key, "7"]).integer == 1)
        #expect((1...7).contains(try await redis.send(["TTL", key]).integer ?? 0))
        // A megabyte comes back whole, however the socket splits it.
        let big = String(repeating: "0123456789abcdef", count: 65_536)
        try await redis.send(["SET", key, big])
        #expect(try await redis.send(["GET", key]).string == big)
        // Arrays, nested, with nulls.
        let list = Self.key("list")
        try await redis.send(["RPUSH", list, "a", "b", ""])
        #expect(
            try await redis.send(["LRANGE", list, "0", "-1"])
                == .array([.bulkString(Array("a".utf8)), .bulkString(Array("b".utf8)), .bulkString([])]))
        #expect(try await redis.send(["MGET", list + "-none", key + "-none"]) == .array([.bulkString(nil), .bulkString(nil)]))
    }

    @Test func twoThousandCommandsInFlightOnTwoConnectionsEachGetTheirOwnAnswer() async throws {
        let redis = try Self.client(try TestRedis.url(), connections: 2)
        defer { Task { await redis.close() } }
        let counter = Self.key("counter")
        let answers = try await withThrowingTaskGroup(of: (Int, Int64?, Int64?).self) { group in
            for index in 0..<2000 {
                group.addTask {
                    // Each task's own key echoes its index: a wrongly paired answer shows.
                    let own = Self.key("\(index)")
                    let value = try await redis.send(["INCRBY", own, "\(index)"]).integer
                    let count = try await redis.send(["INCR", counter]).integer
                    return (index, value, count)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.allSatisfy { Int64($0.0) == $0.1 }, "a command got another's answer")
        #expect(Set(answers.compactMap(\.2)) == Set(1...2000))
    }

    @Test func scriptsRunByDigestAndAreLoadedWhenTheServerDoesNotKnowThem() async throws {
        let redis = try Self.client(try TestRedis.url())
        defer { Task { await redis.close() } }
        let script = RedisScript("return {KEYS[1], tonumber(ARGV[1]) * 2, redis.call('INCRBY', KEYS[1], ARGV[1])}")
        // The digest is the SHA-1 Redis computes itself.
        #expect(try await redis.send(["SCRIPT", "LOAD", script.source]).string == script.digest)
        try await redis.send(["SCRIPT", "FLUSH"])
        let key = Self.key()
        let first = try await redis.evaluate(script, keys: [key], arguments: ["21"])
        #expect(first == .array([.bulkString(Array(key.utf8)), .integer(42), .integer(21)]))
        #expect(try await redis.send(["SCRIPT", "EXISTS", script.digest]) == .array([.integer(1)]))
        #expect(try await redis.evaluate(script, keys: [key], arguments: ["1"]).elements?.last == .integer(22))
        await #expect(throws: RedisError.self) { try await redis.evaluate(RedisScript("return redis.call('NOPE')"), keys: [], arguments: []) }
    }

    @Test func signsInAndSelectsItsDatabase() async throws {
        let server = try await PrivateRedis(password: "s3cret-pass")
        defer { Task { try? await server.stop() } }
        let redis = try Self.client("redis://:s3cret-pass@127.0.0.1:\(server.port)/3")
        defer { Task { await redis.close() } }
        try await redis.send(["SET", "where", "three"])
        let zero = try Self.client("redis://:s3cret-pass@127.0.0.1:\(server.port)")
        defer { Task { await zero.close() } }
        #expect(try await zero.send(["GET", "where"]) == .bulkString(nil))
        #expect(try await redis.send(["GET", "where"]).string == "three")

        let wrong = try Self.client("redis://:not-it@127.0.0.1:\(server.port)")
        await #expect(throws: RedisError.self) { try await wrong.send(["PING"]) }
        let anonymous = try Self.client("redis://127.0.0.1:\(server.port)")
        await #expect(throws: RedisError.server("NOAUTH Authentication required.")) { try await anonymous.send(["PING"]) }
    }

    @Test func aStalledServerTimesOutAndTheClientReconnectsWhenItIsBack() async throws {
        let server = try await PrivateRedis()
        defer { Task { try? await server.stop() } }
        let redis = try Self.client(server.url, connections: 2, timeout: .milliseconds(100))
        defer { Task { await redis.close() } }
        #expect(try await redis.send(["SET", "a", "1"]) == .simpleString("OK"))

        // Paused: every command, on every connection, fails within its timeout, not later.
        server.pause()
        let clock = ContinuousClock()
        for _ in 0..<4 {
            let started = clock.now
            await #expect(throws: RedisError.self) { try await redis.send(["GET", "a"]) }
            #expect(clock.now - started < .milliseconds(600))
        }
        // Resumed: the next command opens a new connection and is answered.
        server.resume()
        #expect(try await redis.send(["GET", "a"]).string == "1")
        #expect(try await redis.send(["GET", "a"]).string == "1")

        // Gone: a refused connection fails at once; a new server on the same port is found again.
        try await server.stop()
        await #expect(throws: (any Error).self) { try await redis.send(["PING"]) }
        let again = try await PrivateRedis(port: server.port)
        defer { Task { try? await again.stop() } }
        #expect(try await redis.send(["PING"]) == .simpleString("PONG"))
        #expect(try await redis.send(["GET", "a"]) == .bulkString(nil))
    }

    @Test func theDecoderReadsValuesSplitAnywhereAndRefusesWhatIsNotRESP() throws {
        let bytes = Array("+OK\r\n-ERR no\r\n:-12\r\n$5\r\nhe\r\no\r\n$-1\r\n*2\r\n*1\r\n:1\r\n$0\r\n\r\n*-1\r\n".utf8)
        let expected: [RESPValue] = [
            .simpleString("OK"), .error("ERR no"), .integer(-12), .bulkString(Array("he\r\no".utf8)), .bulkString(nil),
            .array([.array([.integer(1)]), .bulkString([])]), .array(nil),
        ]
        // One byte at a time, and all at once.
        for chunk in [1, bytes.count] {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPDecoder()))
            for start in stride(from: 0, to: bytes.count, by: chunk) {
                try channel.writeInbound(ByteBuffer(bytes: bytes[start..<min(start + chunk, bytes.count)]))
            }
            var values: [RESPValue] = []
            while let value = try channel.readInbound(as: RESPValue.self) { values.append(value) }
            #expect(values == expected, "in chunks of \(chunk)")
        }
        for bad in ["?what\r\n", ":12x\r\n", "$99999999999\r\n", "$2\r\nabcd", "*1\r\n" + String(repeating: "*1\r\n", count: 20) + ":1\r\n"] {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPDecoder()))
            #expect(throws: (any Error).self, "\(bad.debugDescription)") { try channel.writeInbound(ByteBuffer(string: bad)) }
        }
    }

    @Test func urlsAreReadOrRefusedWithAReason() throws {
        let full = try RedisConfiguration(url: "redis://ledger:p%40ss@redis.internal:6380/2")
        #expect(full.host == "redis.internal" && full.port == 6380 && full.username == "ledger" && full.password == "p@ss" && full.database == 2)
        let plain = try RedisConfiguration(url: "redis://127.0.0.1")
        #expect(plain.port == 6379 && plain.username == nil && plain.password == nil && plain.database == 0)
        #expect(try RedisConfiguration(url: "redis://:only-password@h").password == "only-password")
        for bad in ["rediss://h", "http://h", "redis://", "redis://h/16", "redis://h/x", "not a url"] {
            #expect(throws: RedisURLError.self, "\(bad)") { try RedisConfiguration(url: bad) }
        }
    }
}
