import Foundation
import Hummingbird
import NIOCore

/// The request context every request starts with: what the outer middleware learned. Routes
/// that need a verified caller take a narrower child context instead (`APIRequestContext`,
/// `InternalRequestContext`), so a handler cannot be reached without one.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller's `X-Request-Id`, or one made for this request.
    public var requestId: String = ""
    /// Set by `APIKeyAuthMiddleware` for requests under `/api/`; read by `APIRequestContext`.
    public internal(set) var verifiedKey: VerifiedKey?
    /// Set by `InternalCallerMiddleware`; read by `InternalRequestContext`.
    public internal(set) var internalCaller: String?

    /// The TCP peer: the gateway, for requests that came through it.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Bodies over 1 MiB are refused with 413 (docs/api-guide.md, "Conventions").
    public var maxUploadSize: Int { RequestLimits.maxBodyBytes }

    /// ISO-8601 dates, and keys in a stable order so that answers read the same every time.
    public var responseEncoder: JSONEncoder { Self.encoder }

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// Limits on what a client may send.
public enum RequestLimits {
    /// Largest request body accepted, in bytes.
    public static let maxBodyBytes = 1 << 20
    /// How long a request may run before its work is cancelled and it is answered 503.
    public static let requestTimeout = Duration.seconds(10)
    /// How long a request may go unanswered at all: work that ignores cancellation is
    /// abandoned then (`DeadlineResponderBuilder`).
    public static let abandonAfter = Duration.seconds(11)
    /// Largest body of a call between services (`/internal/`): a completion event at its bound.
    public static let maxInternalBodyBytes = ReportEventLimits.maximumEncodedBytes
}
