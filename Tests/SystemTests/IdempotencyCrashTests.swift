import Foundation
import PostgresNIO
import Synchronization
import TestSupport
import Testing

/// An idempotent POST happens exactly once, whenever its process dies: the catalog is killed
/// (SIGKILL) at random moments while 200 keyed POSTs are sent and retried, and afterwards every
/// key has made at most one job, and every job a client was told about exists.
@Suite("Idempotent POSTs survive SIGKILL at random moments", .serialized)
struct IdempotencyCrashTests {
    /// Keys, and clients sending them at once.
    static let keys = 200
    static let clients = 8

    @Test func everyKeyMakesAtMostOneJobAndEveryAcknowledgedJobExists() async throws {
        let keyService = try await KeyServiceFixture.shared.start()
        let organization = try await keyService.newOrganization()
        let key = try await organization.key(["jobs:write", "jobs:read"]).key
        let databaseURL = try await TestDatabase.create()
        let port = try freePort()
        var process = try await CatalogFixture.launch(keyService: keyService, databaseURL: databaseURL, port: port).process
        let url = "http://127.0.0.1:\(port)/api/v1/jobs"
        // The database takes 100 ms over each new job, as a busy disk would. A statement it has
        // begun runs to its end even when its process dies meanwhile: a process that commits its
        // work apart from its kept answer is then often killed between the two.
        try await TestDatabase.withClient(databaseURL) { postgres in
            try await postgres.query(
                """
                CREATE FUNCTION slow_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_sleep(0.1); RETURN NEW; END $$
                """)
            try await postgres.query("CREATE TRIGGER slow_jobs AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION slow_jobs()")
        }

        // Clients: each sends its keys one after another, retrying each until it is answered 201.
        let done = ManagedAtomicFlag()
        let clientsTask = Task {
            try await withThrowingTaskGroup(of: [(String, String)].self) { group in
                for client in 0..<Self.clients {
                    group.addTask {
                        var acknowledged: [(String, String)] = []
                        for index in stride(from: client, to: Self.keys, by: Self.clients) {
                            let idempotencyKey = "crash-\(index)"
                            let deadline = ContinuousClock.now + .seconds(90)
                            while true {
                                let answer = try? await HTTPExchange.send(
                                    .POST, url,
                                    headers: [("Authorization", "Bearer \(key)"), ("Idempotency-Key", idempotencyKey)],
                                    body: #"{"title":"\#(idempotencyKey)"}"#)
                                if let answer, answer.status == 201, let id = answer.json["id"] as? String {
                                    acknowledged.append((idempotencyKey, id))
                                    break
                                }
                                // Killed mid-way (no answer), not back yet, or still running (409): again, shortly.
                                guard ContinuousClock.now < deadline else { throw TestSetupError("\(idempotencyKey) never answered 201") }
                                try await Task.sleep(for: .milliseconds(50))
                            }
                            try await Task.sleep(for: .milliseconds(Int.random(in: 20...120)))
                        }
                        return acknowledged
                    }
                }
                defer { done.set() }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
        // The killer: SIGKILL at a random moment, start again on the same database and port.
        var kills = 0
        while !done.isSet {
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...600)))
            guard !done.isSet else { break }
            process.signal(SIGKILL)
            _ = try await process.waitForExit(timeout: .seconds(10))
            kills += 1
            process = try await CatalogFixture.launch(keyService: keyService, databaseURL: databaseURL, port: port).process
        }
        let acknowledged = try await clientsTask.value
        process.signal(SIGTERM)
        #expect(kills >= 3, "the catalog was killed \(kills) times")

        // At most one job per key, every acknowledged job there under its key, and every key answered.
        let jobs: [(String, String)] = try await TestDatabase.withClient(databaseURL) { postgres in
            let rows = try await postgres.query("SELECT id::text, title FROM jobs WHERE title LIKE 'crash-%'")
            return try await rows.decode((String, String).self).reduce(into: []) { $0.append(($1.0, $1.1)) }
        }
        let perKey = Dictionary(grouping: jobs, by: \.1)
        let twice = perKey.filter { $0.value.count > 1 }
        #expect(twice.isEmpty, "keys that made more than one job (after \(kills) kills): \(twice.keys.sorted())")
        let stored = Dictionary(jobs.map { ($0.0, $0.1) }) { first, _ in first }
        let missing = acknowledged.filter { stored[$0.1] != $0.0 }
        #expect(missing.isEmpty, "acknowledged but not stored under their key: \(missing)")
        #expect(acknowledged.count == Self.keys && perKey.count == Self.keys, "\(acknowledged.count) answered, \(perKey.count) keys with a job")
    }
}

/// A flag set once, read by another task.
final class ManagedAtomicFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
