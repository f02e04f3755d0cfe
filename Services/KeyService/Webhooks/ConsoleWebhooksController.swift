import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Shared

/// `/console/api/webhook-endpoints…`: the console's Webhooks pages. The key service checks the
/// person's session and role (reading: any member; managing: ADMIN, docs/api-guide.md, "Members
/// and roles"), then passes the request on to the webhooks service, which serves the very routes
/// of `/api/v1/webhook-endpoints` under `/internal/console/` for the organization named: one
/// resource behind the console and the API (docs/design/webhooks.md).
struct ConsoleWebhooksController: Sendable {
    let webhooks: InternalServiceClient

    static let base = "webhook-endpoints"

    /// The routes and the least role each needs.
    func addRoutes(to console: ConsoleRoutes) {
        let item = Self.base + "/{id}"
        console.get(Self.base, .VIEWER, use: forward)
        console.post(Self.base, .ADMIN, use: forward)
        console.get(item, .VIEWER, use: forward)
        console.patch(item, .ADMIN, use: forward)
        console.delete(item, .ADMIN, use: forward)
        console.post(item + "/roll-secret", .ADMIN, use: forward)
        console.post(item + "/test", .ADMIN, use: forward)
        console.get(item + "/deliveries", .VIEWER, use: forward)
        console.post(item + "/deliveries/{deliveryId}/retry", .ADMIN, use: forward)
        console.post(item + "/recover", .ADMIN, use: forward)
    }

    static let unavailable = APIError.unavailable("The webhooks service cannot be reached right now; try again")

    /// Passes the request on with the member's organization, and the answer back as it came
    /// (its `Location` under `/console/api/`).
    @Sendable func forward(_ request: Request, context: ConsoleContext) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(ConsoleRoutes.prefix + "/") else { throw APIError.notFound() }
        var target = OrganizationCallRoutes.prefix + path.dropFirst(ConsoleRoutes.prefix.count + 1)
        if let query = request.uri.query, !query.isEmpty { target += "?" + query }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let method: InternalServiceClient.Method =
            switch request.method {
            case .post: .post
            case .patch: .patch
            case .delete: .delete
            default: .get
            }
        let answer: InternalServiceClient.Answer
        do {
            answer = try await webhooks.exchange(
                method, target, body: body.readableBytes > 0 ? body : nil, contentType: request.headers[.contentType],
                headers: [(OrganizationCallRoutes.organizationHeader.rawName, context.member.organizationId.apiString)],
                requestId: context.requestId)
        } catch {
            context.logger.warning("webhooks service unreachable", metadata: ["error": "\(String(describing: error))"])
            throw Self.unavailable
        }
        var headers = HTTPFields()
        if let type = answer.header("Content-Type") { headers[.contentType] = type }
        if let location = answer.header("Location") {
            headers[.location] = location.replacingOccurrences(of: OrganizationCallRoutes.publicPrefix, with: ConsoleRoutes.prefix + "/")
        }
        if let retryAfter = answer.header("Retry-After") { headers[.retryAfter] = retryAfter }
        return Response(status: HTTPResponse.Status(code: answer.status), headers: headers, body: ResponseBody(byteBuffer: answer.body))
    }
}
