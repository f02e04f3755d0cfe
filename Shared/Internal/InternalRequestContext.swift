import Foundation
import Hummingbird

/// The context of an `/internal/` route: the caller's Basic credentials were checked, and
/// `caller` names the service that sent them.
public struct InternalRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let requestId: String
    /// The client id of the calling service (`catalog`, `interviews`, ...).
    public let caller: String

    /// Made from the parent only after `InternalCallerMiddleware` authenticated the caller.
    public init(context: AppRequestContext) throws {
        guard let caller = context.internalCaller else { throw InternalCallerMiddleware.unauthorized }
        self.coreContext = context.coreContext
        self.requestId = context.requestId
        self.caller = caller
    }

    /// Calls between services may carry a completion event at its bound (`ReportEventLimits`).
    public var maxUploadSize: Int { RequestLimits.maxInternalBodyBytes }
    public var responseEncoder: JSONEncoder { AppRequestContext.encoder }
}
