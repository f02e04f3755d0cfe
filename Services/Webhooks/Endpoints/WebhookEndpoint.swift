import Foundation
import Hummingbird
import Shared

/// An organization's webhook endpoint (docs/api-guide.md, "Webhooks").
struct WebhookEndpoint: Sendable, Equatable {
    enum Status: String, CaseIterable, Sendable { case ENABLED, DISABLED }
    /// Why an endpoint is disabled: by a person or a key (`MANUAL`), by a 410 (`GONE`), or by
    /// five days of failed attempts (`FAILING`).
    enum DisabledReason: String, CaseIterable, Sendable { case MANUAL, GONE, FAILING }

    var id: UUID
    var url: String
    var description: String?
    /// Empty: every type.
    var eventTypes: [String]
    var status: Status
    var disabledReason: DisabledReason?
    var createdAt: Date
    var updatedAt: Date
    /// `whsec_` and four characters of the current secret.
    var secretPrefix: String

    /// Whether an event of `type` goes to this endpoint (when it is enabled).
    func subscribes(to type: String) -> Bool { eventTypes.isEmpty || eventTypes.contains(type) }
}

/// The fields of an endpoint as a client sends them, for POST (all) and PATCH (those present).
struct WebhookEndpointInput: Decodable, Sendable {
    var url: PatchField<String>
    var description: PatchField<String>
    var eventTypes: PatchField<[String]>
    var status: PatchField<String>

    /// The types an endpoint may subscribe to: every event type but `webhook.test`, which goes
    /// to the one endpoint it is asked for whatever it subscribes to.
    static let subscribable = WebhookEventType.allCases.filter { $0 != .test }.map(\.rawValue)

    /// The endpoint after applying these fields to `current` (a new one when nil), validated
    /// whole. The URL's form is checked here (`destinations`); where its host resolves is
    /// checked by the caller, which may wait for a resolver.
    func apply(to current: WebhookEndpoint?, id: UUID, now: Date, destinations: DestinationPolicy) throws -> WebhookEndpoint {
        var v = FieldValidator()
        var url = v.required(self.url.applied(to: current?.url), "url", max: DestinationPolicy.maximumLength)
        var refusal: DestinationPolicy.Refusal?
        if let given = url {
            do throws(DestinationPolicy.Refusal) {
                url = try destinations.destination(given).url
            } catch  where error.malformed {
                v.fail("url", "must be an http or https URL")
            } catch {
                refusal = error
            }
        }
        let description = v.optional(self.description.applied(to: current?.description), "description", max: 500)
        if case .null = eventTypes { v.fail("eventTypes", "must not be null (an empty list means every type)") }
        var types: [String] = []
        for (index, type) in (eventTypes.value ?? current?.eventTypes ?? []).enumerated() {
            if !Self.subscribable.contains(type) {
                v.fail("eventTypes[\(index)]", "is not an event type; the types are \(Self.subscribable.joined(separator: ", "))")
            } else if !types.contains(type) {
                types.append(type)
            }
        }
        if case .null = status { v.fail("status", "must not be null") }
        let status = v.oneOf(self.status.value, "status", as: WebhookEndpoint.Status.self)
        try v.check()
        if let refusal { throw EndpointController.notAllowed(refusal) }
        var endpoint =
            current
            ?? WebhookEndpoint(
                id: id, url: "", description: nil, eventTypes: [], status: .ENABLED, disabledReason: nil, createdAt: now, updatedAt: now,
                secretPrefix: "")
        endpoint.url = url ?? endpoint.url
        endpoint.description = description
        endpoint.eventTypes = types.sorted()
        endpoint.updatedAt = now
        switch status {
        case .ENABLED?:
            endpoint.status = .ENABLED
            endpoint.disabledReason = nil
        case .DISABLED? where endpoint.status == .ENABLED:
            endpoint.status = .DISABLED
            endpoint.disabledReason = .MANUAL
        case .DISABLED?, nil:
            break
        }
        return endpoint
    }
}

/// An endpoint as the API shows it; `secret` only in the answers that create one.
struct WebhookEndpointView: ResponseEncodable, Sendable {
    let id: String
    let url: String
    @Nullable var description: String?
    let eventTypes: [String]
    let status: String
    @Nullable var disabledReason: String?
    let createdAt: Date
    let updatedAt: Date
    let secretPrefix: String
    let secret: String?

    init(_ endpoint: WebhookEndpoint, secret: WebhookSecret? = nil) {
        id = endpoint.id.apiString
        url = endpoint.url
        description = endpoint.description
        eventTypes = endpoint.eventTypes
        status = endpoint.status.rawValue
        disabledReason = endpoint.disabledReason?.rawValue
        createdAt = endpoint.createdAt
        updatedAt = endpoint.updatedAt
        secretPrefix = secret?.displayPrefix ?? endpoint.secretPrefix
        self.secret = secret?.text
    }
}
