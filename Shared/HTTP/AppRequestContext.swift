import Foundation
import Hummingbird

/// The request context of every service: what middleware learned about the request.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller's `X-Request-Id`, or one made for this request.
    public var requestId: String = ""
    /// The API key the request was authenticated with (resource services, under `/api/`).
    public var verifiedKey: VerifiedKey?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// The caller's organization; every query of a resource service is scoped to it.
    public var organizationId: UUID {
        get throws {
            guard let key = verifiedKey else { throw AuthError.unauthorized(tokenPresented: false) }
            return key.organizationId
        }
    }

    /// Bodies over 1 MiB are refused with 413 (contract §4).
    public var maxUploadSize: Int { RequestLimits.maxBodyBytes }

    /// ISO-8601 dates, and keys in a stable order so that answers read the same every time.
    public var responseEncoder: JSONEncoder { Self.encoder }

    private static let encoder: JSONEncoder = {
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
}
