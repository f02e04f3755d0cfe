import Hummingbird
import Shared

/// The webhooks service's settings: the common ones and where it may send (docs/design/webhooks.md).
struct WebhooksSettings: Sendable {
    var service: ServiceConfiguration
    var destinations: DestinationPolicy

    init(environment: Environment) throws {
        service = try ServiceConfiguration(environment: environment, defaultPort: 8085, defaultDatabase: "evalyo_webhooks")
        destinations = try DestinationPolicy(environment: environment)
    }
}
