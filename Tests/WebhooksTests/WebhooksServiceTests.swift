import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Webhooks

@Suite("The webhooks service starts on its own database")
struct WebhooksServiceTests {
    @Test func itMigratesAndAnswersHealthAndReadiness() async throws {
        let harness = try await WebhooksHarness()
        #expect(harness.settings.service.port == 8085)
        try await harness.run { (client: WebhooksHarness.Client) async throws in
            #expect(try await client.client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.client.execute(uri: "/readyz", method: .get).status == .ok)
        }
    }

    @Test func itRefusesToStartWithoutAStrongKeyForTheSecrets() throws {
        for value in [nil, "short", "change-me-webhook-secrets-key-0123456789"] {
            var values = ["DATABASE_URL": "postgres://u:p@127.0.0.1:1/none", "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret]
            values["WEBHOOK_SECRETS_KEY"] = value
            #expect(throws: ConfigurationError.self) { try WebhooksSettings(environment: Environment(values: values)) }
        }
    }

    @Test func theRetryScheduleAndTheDisablingPeriodAreRead() throws {
        #expect(DeliverySchedule.standard.retries == [5, 300, 1800, 7200, 18000, 36000, 36000])
        #expect(DeliverySchedule.seconds("90") == 90 && DeliverySchedule.seconds("5m") == 300 && DeliverySchedule.seconds("1.5h") == 5400)
        #expect(DeliverySchedule.seconds("5x") == nil && DeliverySchedule.seconds("-1s") == nil && DeliverySchedule.seconds("") == nil)
        let schedule = try DeliverySchedule(environment: Environment(values: ["WEBHOOK_RETRY_SCHEDULE": "1s,2m", "WEBHOOK_DISABLE_AFTER": "2h"]))
        #expect(schedule.retries == [1, 120] && schedule.disableAfter == 7200)
        #expect(throws: ConfigurationError.self) { try DeliverySchedule(environment: Environment(values: ["WEBHOOK_RETRY_SCHEDULE": "1s,,2m"])) }
        // ±20 % at the extremes, and nothing after the last retry.
        #expect(schedule.wait(beforeRetry: 1, random: -1) == 96 && schedule.wait(beforeRetry: 1, random: 1) == 144)
        #expect(schedule.wait(beforeRetry: 2) == nil)
        #expect(DeliverySchedule.retryAfter("7") == 7 && DeliverySchedule.retryAfter("soon") == nil)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(DeliverySchedule.retryAfter("Fri, 15 Jan 2027 08:00:30 GMT", now: now) == 30)
    }
}
