import Foundation
import Hummingbird
import Shared

/// `/api/v1/webhook-endpoints`: an organization's webhook endpoints, their deliveries and
/// secrets (docs/api-guide.md, "Webhooks"). Reading needs `webhooks:read`, everything else
/// `webhooks:write`. The same routes serve the console through the key service
/// (`OrganizationCallRoutes`, under `/internal/console/`): one resource behind both.
struct EndpointController: Sendable {
    let endpoints: EndpointRepository
    let queue: MessageQueue
    let destinations: DestinationPolicy
    let doorbell: Doorbell

    static let base = "/api/v1/webhook-endpoints"

    /// The routes and the scope each needs, on `routes` (the API's, or the console's).
    func addRoutes<Routes: RouteDeclarer>(to routes: Routes) where Routes.Requirement == Scope, Routes.Context: OrganizationRequestContext {
        let item = Self.base + "/{id}"
        routes.get(Self.base, .webhooksRead, use: list)
        routes.post(Self.base, .webhooksWrite, use: create)
        routes.get(item, .webhooksRead, use: read)
        routes.patch(item, .webhooksWrite, use: update)
        routes.delete(item, .webhooksWrite, use: delete)
        routes.post(item + "/roll-secret", .webhooksWrite, use: rollSecret)
        routes.post(item + "/test", .webhooksWrite, use: sendTest)
        routes.get(item + "/deliveries", .webhooksRead, use: deliveries)
        routes.post(item + "/deliveries/{deliveryId}/retry", .webhooksWrite, use: retry)
        routes.post(item + "/recover", .webhooksWrite, use: recover)
    }

    @Sendable func list(_ request: Request, context: some OrganizationRequestContext) async throws -> Page<WebhookEndpointView> {
        let page = try PageRequest(from: request)
        let (items, total) = try await endpoints.list(organizationId: context.organizationId, page: page)
        return Page(data: items.map { WebhookEndpointView($0) }, request: page, total: total)
    }

    @Sendable func read(_ request: Request, context: some OrganizationRequestContext) async throws -> WebhookEndpointView {
        guard let endpoint = try await endpoints.find(id: try context.parameters.uuid("id"), organizationId: context.organizationId)
        else { throw Self.notFound }
        return WebhookEndpointView(endpoint)
    }

    /// 204; 404 when there is nothing (also the second time).
    @Sendable func delete(_ request: Request, context: some OrganizationRequestContext) async throws -> HTTPResponse.Status {
        guard try await endpoints.delete(id: try context.parameters.uuid("id"), organizationId: context.organizationId) else { throw Self.notFound }
        return .noContent
    }

    /// 201 with the endpoint and its secret, shown this once.
    @Sendable func create(_ request: Request, context: some OrganizationRequestContext) async throws -> EditedResponse<WebhookEndpointView> {
        let input = try await request.decodeJSON(as: WebhookEndpointInput.self, context: context)
        let endpoint = try input.apply(to: nil, id: UUID(), now: Date(), destinations: destinations)
        try await checkWhereItResolves(endpoint.url)
        let secret = try await endpoints.create(endpoint, organizationId: context.organizationId)
        return created(WebhookEndpointView(endpoint, secret: secret), at: "\(Self.base)/\(endpoint.id.apiString)")
    }

    /// Changes the fields given; a new URL is checked as at creation.
    @Sendable func update(_ request: Request, context: some OrganizationRequestContext) async throws -> WebhookEndpointView {
        let id = try context.parameters.uuid("id")
        let input = try await request.decodeJSON(as: WebhookEndpointInput.self, context: context)
        let destinations = self.destinations
        if let url = input.url.value {
            // The form first (a 400 or 422 without resolving), then where the host resolves.
            _ = try input.apply(to: nil, id: id, now: Date(), destinations: destinations)
            try await checkWhereItResolves(try destinations.destination(url).url)
        }
        guard
            let endpoint = try await endpoints.update(
                id: id, organizationId: context.organizationId, { try input.apply(to: $0, id: id, now: Date(), destinations: destinations) })
        else { throw Self.notFound }
        if endpoint.status == .ENABLED { RequestTransaction.afterCommit(doorbell.ring) }
        return WebhookEndpointView(endpoint)
    }

    struct Roll: Decodable {
        let expiresInSeconds: Int?
        static let range = 0...604_800
        static let standard = 86_400
    }

    /// 201 with the endpoint and its new secret, shown this once; the old one signs too until it expires.
    @Sendable func rollSecret(_ request: Request, context: some OrganizationRequestContext) async throws -> EditedResponse<WebhookEndpointView> {
        let id = try context.parameters.uuid("id")
        let seconds = try await request.decodeOptionalJSON(as: Roll.self, context: context)?.expiresInSeconds ?? Roll.standard
        guard Roll.range.contains(seconds) else { throw APIError.invalidField("expiresInSeconds", "must be from 0 to 604800 (7 days)") }
        guard let (endpoint, secret) = try await endpoints.rollSecret(id: id, organizationId: context.organizationId, expiresIn: seconds)
        else { throw Self.notFound }
        return EditedResponse(status: .created, response: WebhookEndpointView(endpoint, secret: secret))
    }

    struct Queued: ResponseEncodable {
        let eventId: String
        let deliveryId: String
    }

    /// 202: a `webhook.test` event goes to this endpoint now, whatever it subscribes to.
    @Sendable func sendTest(_ request: Request, context: some OrganizationRequestContext) async throws -> EditedResponse<Queued> {
        let id = try context.parameters.uuid("id")
        guard let (eventId, deliveryId) = try await queue.sendTest(endpointId: id, organizationId: context.organizationId) else {
            throw Self.notFound
        }
        RequestTransaction.afterCommit(doorbell.ring)
        return EditedResponse(status: .accepted, response: Queued(eventId: eventId, deliveryId: deliveryId.apiString))
    }

    /// The endpoint's messages, newest first, each with its attempts; `?status=` filters them.
    @Sendable func deliveries(_ request: Request, context: some OrganizationRequestContext) async throws -> Page<DeliveryView> {
        let id = try context.parameters.uuid("id")
        let status = try request.enumFilter("status", as: Delivery.Status.self)
        let page = try PageRequest(from: request)
        guard try await endpoints.find(id: id, organizationId: context.organizationId) != nil else { throw Self.notFound }
        let (items, total) = try await queue.deliveries(endpointId: id, organizationId: context.organizationId, status: status, page: page)
        return Page(data: items.map(DeliveryView.init), request: page, total: total)
    }

    struct Retried: ResponseEncodable {
        let deliveryId: String
        let status = "PENDING"
    }

    /// 202: the message is sent again now.
    @Sendable func retry(_ request: Request, context: some OrganizationRequestContext) async throws -> EditedResponse<Retried> {
        let id = try context.parameters.uuid("id")
        let deliveryId = try context.parameters.uuid("deliveryId")
        guard try await endpoints.find(id: id, organizationId: context.organizationId) != nil,
            try await queue.retry(messageId: deliveryId, endpointId: id, organizationId: context.organizationId)
        else { throw APIError.notFound("Delivery not found") }
        RequestTransaction.afterCommit(doorbell.ring)
        return EditedResponse(status: .accepted, response: Retried(deliveryId: deliveryId.apiString))
    }

    struct Recover: Decodable {
        let since: String
    }

    struct Recovered: ResponseEncodable {
        let queued: Int
    }

    /// 202 `{"queued": n}`: every failed message since `since` is sent again now.
    @Sendable func recover(_ request: Request, context: some OrganizationRequestContext) async throws -> EditedResponse<Recovered> {
        let id = try context.parameters.uuid("id")
        let body = try await request.decodeJSON(as: Recover.self, context: context)
        var v = FieldValidator()
        let since = v.date(body.since, "since", blankAllowed: false)
        try v.check()
        guard let since else { throw APIError.invalidField("since", "is required") }
        guard try await endpoints.find(id: id, organizationId: context.organizationId) != nil else { throw Self.notFound }
        let queued = try await queue.recover(endpointId: id, organizationId: context.organizationId, since: since)
        if queued > 0 { RequestTransaction.afterCommit(doorbell.ring) }
        return EditedResponse(status: .accepted, response: Recovered(queued: queued))
    }

    /// 422 `WEBHOOK_URL_NOT_ALLOWED` unless every address the URL's host resolves to may be called.
    func checkWhereItResolves(_ url: String) async throws {
        do throws(DestinationPolicy.Refusal) {
            _ = try await destinations.addresses(of: try destinations.destination(url))
        } catch {
            throw Self.notAllowed(error)
        }
    }

    static func notAllowed(_ refusal: DestinationPolicy.Refusal) -> APIError {
        .unprocessable("WEBHOOK_URL_NOT_ALLOWED", refusal.description)
    }

    static let notFound = APIError.notFound("Webhook endpoint not found")
}
