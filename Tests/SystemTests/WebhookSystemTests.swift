import Foundation
import PostgresNIO
import TestSupport
import Testing

/// Webhooks with every executable running, through the gateway, to a real receiver that
/// verifies each request with the Standard Webhooks specification's own library.
@Suite("Webhooks across the platform's processes", .serialized)
struct WebhookSystemTests {
    static let scopes = ["webhooks:read", "webhooks:write", "jobs:write", "candidates:write", "interviews:write", "campaigns:write"]

    /// An endpoint of the organization's at `url`; returns its id and secret.
    static func endpoint(_ client: APIClient, _ key: String, _ url: String, types: [String] = []) async throws -> (id: String, secret: String) {
        let answer = try await client.send(.POST, "/api/v1/webhook-endpoints", key: key, body: ["url": url, "eventTypes": types])
        guard answer.status == 201, let id = answer.json["id"] as? String, let secret = answer.json["secret"] as? String else {
            throw TestSetupError("POST /api/v1/webhook-endpoints: \(answer.status) \(answer.body)")
        }
        return (id, secret)
    }

    /// A job, a candidate and an interview of the key's organization; returns the interview's id.
    static func interview(_ client: APIClient, _ key: String) async throws -> String {
        let job = try await client.create("/api/v1/jobs", key, ["title": "Backend engineer"])
        let candidate = try await client.create("/api/v1/candidates", key, ["email": "ada-\(UUID())@example.com"])
        return try await client.create("/api/v1/interviews", key, ["candidateId": candidate, "jobId": job])
    }

    /// Starts and completes an interview as the agent runtime does.
    static func run(_ platform: Platform, interview: String) async throws {
        let runtime = ("Authorization", "Basic " + Data(Platform.runtimeClient.utf8).base64EncodedString())
        let base = platform.interviewsURL + "/internal/interviews/\(interview)"
        let started = try await HTTPExchange.send(.POST, base + "/start", headers: [runtime])
        let completed = try await HTTPExchange.send(.POST, base + "/complete", headers: [runtime], body: #"{"score":81,"summary":"Strong"}"#)
        guard started.status == 200, completed.status == 200 else { throw TestSetupError("runtime: \(started.body) \(completed.body)") }
    }

    @Test func anInterviewDrivenToCompletionReachesTheReceiverAsSignedEventsAndFailuresAreRetriedOrDisable() async throws {
        let platform = try await Platform.launch()
        let receiver = try await WebhookReceiver()
        let client = APIClient(baseURL: platform.gateway.url)
        let key = try await platform.keyService.newOrganization(consoleURL: platform.gateway.url).key(Self.scopes).key
        let strangerKey = try await platform.keyService.newOrganization(consoleURL: platform.gateway.url).key(Self.scopes).key
        let all = try await Self.endpoint(client, key, receiver.url("all"))
        let flaky = try await Self.endpoint(client, key, receiver.url("flaky", "fail-then-ok/1"), types: ["report.created"])
        let gone = try await Self.endpoint(client, key, receiver.url("gone", "status/410"), types: ["interview.completed"])
        _ = try await Self.endpoint(client, key, receiver.url("slow", "sleep/20"), types: ["interview.started"])
        _ = try await Self.endpoint(client, strangerKey, receiver.url("stranger"))
        try await receiver.verify("all", with: [all.secret])
        try await receiver.verify("flaky", with: [flaky.secret])

        let interview = try await Self.interview(client, key)
        try await Self.run(platform, interview: interview)
        let completedAt = Date().timeIntervalSince1970
        let received = try await receiver.requests(to: "all", atLeast: 3)
        #expect(Set(received.compactMap { $0.json["type"] as? String }) == ["interview.started", "interview.completed", "report.created"])
        #expect(received.allSatisfy { $0.verified == [true] }, "\(received.map(\.verified))")
        // The completion reached the receiver within a second, though the slow endpoint hangs on the start.
        let completion = try #require(received.first { $0.json["type"] as? String == "interview.completed" })
        #expect(completion.receivedAt - completedAt < 1.0)
        #expect((completion.json["data"] as? [String: Any])?["id"] as? String == interview)
        let report = try #require(received.first { $0.json["type"] as? String == "report.created" })
        #expect((report.json["data"] as? [String: Any])?["interviewId"] as? String == interview)
        #expect((report.json["data"] as? [String: Any])?["score"] as? Int == 81)

        // 500 then 200: the same webhook-id twice, and the log shows both attempts.
        let retried = try await receiver.requests(to: "flaky", atLeast: 2, within: .seconds(12))
        #expect(retried.count == 2 && retried[0].webhookId == retried[1].webhookId && retried[0].webhookId == report.webhookId)
        #expect(retried.allSatisfy { $0.verified == [true] })
        let log = try await client.send(.GET, "/api/v1/webhook-endpoints/\(flaky.id)/deliveries", key: key)
        let attempts = ((log.json["data"] as? [[String: Any]])?.first?["attempts"] as? [[String: Any]])?.compactMap { $0["responseStatus"] as? Int }
        #expect(attempts == [500, 200], "\(log.body)")
        // A 410 disables its endpoint.
        let disabled = try await client.send(.GET, "/api/v1/webhook-endpoints/\(gone.id)", key: key)
        #expect(disabled.json["status"] as? String == "DISABLED" && disabled.json["disabledReason"] as? String == "GONE", "\(disabled.body)")
        // Another organization's endpoint heard nothing of it.
        #expect(try await receiver.requests().allSatisfy { !$0.path.hasPrefix("/stranger/") })
    }

    /// The webhooks service stopped while events happen, and the interviews service killed after
    /// committing them but before handing them over: once both are back, every event arrives,
    /// each event id taken once.
    @Test func eventsCommittedWhileTheWebhooksServiceIsDownAndTheProducerIsKilledAllArriveOnce() async throws {
        let platform = try await Platform.launch()
        let receiver = try await WebhookReceiver()
        let client = APIClient(baseURL: platform.gateway.url)
        let key = try await platform.keyService.newOrganization(consoleURL: platform.gateway.url).key(Self.scopes).key
        let endpoint = try await Self.endpoint(client, key, receiver.url("all"))
        try await receiver.verify("all", with: [endpoint.secret])

        let webhooks = platform.processes[4]
        webhooks.signal(SIGTERM)
        #expect(try await webhooks.waitForExit(timeout: .seconds(20)) == 0)
        var interviews: [String] = []
        for _ in 0..<3 {
            let interview = try await Self.interview(client, key)
            try await Self.run(platform, interview: interview)
            interviews.append(interview)
        }
        // A candidate entering a campaign: the catalog's event, waiting in its outbox too.
        let job = try await client.create("/api/v1/jobs", key, ["title": "Data engineer"])
        let campaign = try await client.create("/api/v1/campaigns", key, ["name": "Spring", "jobId": job])
        let candidate = try await client.create("/api/v1/candidates", key, ["email": "bob-\(UUID())@example.com"])
        _ = try await client.create("/api/v1/campaigns/\(campaign)/candidates", key, ["candidateId": candidate])
        // The interviews service dies with its events committed and not handed over.
        let producer = platform.processes[2]
        producer.signal(SIGKILL)
        _ = try await producer.waitForExit(timeout: .seconds(10))
        let pending = try await TestDatabase.withClient(platform.interviewsDatabaseURL) { postgres in
            try await postgres.query("SELECT count(*)::int FROM outbox_events WHERE destination = 'webhooks' AND delivered_at IS NULL")
                .collect().first!.decode(Int.self)
        }
        #expect(pending == 6)

        let restarted = try await platform.restart("webhooks")
        let revived = try await platform.restart("interviews")
        // 3 interviews × (started, completed) + 3 report.created + 1 candidate_moved.
        let received = try await receiver.requests(to: "all", atLeast: 10, within: .seconds(25))
        try await Task.sleep(for: .seconds(1))
        let everything = try await receiver.requests()
        #expect(received.count == 10 && everything.count == 10, "\(everything.map { $0.json["type"] ?? "?" })")
        #expect(Set(everything.map(\.webhookId)).count == 10 && everything.allSatisfy { $0.verified == [true] })
        let types = everything.compactMap { $0.json["type"] as? String }
        #expect(types.filter { $0 == "interview.completed" }.count == 3 && types.filter { $0 == "report.created" }.count == 3)
        #expect(types.filter { $0 == "campaign.candidate_moved" }.count == 1)
        let completed = Set(
            everything.filter { $0.json["type"] as? String == "interview.completed" }.compactMap {
                ($0.json["data"] as? [String: Any])?["id"] as? String
            })
        #expect(completed == Set(interviews))
        // Each event taken once at the webhooks service, however often it was handed over.
        let stored = try await TestDatabase.withClient(platform.environments["webhooks"]!["DATABASE_URL"]!) { postgres in
            try await postgres.query("SELECT count(*)::int, count(DISTINCT id)::int FROM webhook_events").collect().first!.decode((Int, Int).self)
        }
        #expect(stored.0 == 10 && stored.1 == 10)
        restarted.signal(SIGTERM)
        revived.signal(SIGTERM)
    }
}
