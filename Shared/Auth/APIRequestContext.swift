import Foundation
import Hummingbird

/// The context of a public `/api/v1` route: the request carried a verified API key, which is
/// never optional here. Every query of a resource service is scoped to `organizationId`.
public struct APIRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let requestId: String
    /// The key the request was authenticated with.
    public let key: VerifiedKey

    /// Made from the parent only after `APIKeyAuthMiddleware` verified the key.
    public init(context: AppRequestContext) throws {
        guard let key = context.verifiedKey else { throw AuthError.unauthorized(tokenPresented: false) }
        self.coreContext = context.coreContext
        self.requestId = context.requestId
        self.key = key
    }

    /// The caller's organization.
    public var organizationId: UUID { key.organizationId }

    public var maxUploadSize: Int { RequestLimits.maxBodyBytes }
    public var responseEncoder: JSONEncoder { AppRequestContext.encoder }
}

/// A request context that names the organization a request acts for: an API key's, or the one a
/// trusted internal caller names (the console's, through the key service). A resource served
/// both ways is written once against it.
public protocol OrganizationRequestContext: RequestContext {
    var organizationId: UUID { get }
}

extension APIRequestContext: OrganizationRequestContext {}
