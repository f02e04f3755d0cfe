import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Shared

/// `POST /security/leaked-keys` (docs/api-guide.md, "Leaked keys"): a secret scanner reports tokens it found in
/// public; every key of ours among them that could still be used is revoked as leaked at once,
/// and the answer labels each token, never repeating one. Signed by the reporter (ECDSA P-256
/// over the raw body); no API key or session.
struct LeakReportController: Sendable {
    let keys: APIKeyRepository
    /// Nil when `LEAK_REPORTER_KEYS_FILE` is not set: the endpoint then does not exist (404).
    let reporters: ReporterKeys?

    static let identifierHeader = HTTPField.Name("Github-Public-Key-Identifier")!
    static let signatureHeader = HTTPField.Name("Github-Public-Key-Signature")!

    /// Adds the route.
    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/security/leaked-keys", use: report)
    }

    struct Reported: Decodable {
        let token: String
        let type: String?
        let url: String?
        let source: String?
    }

    struct Label: Codable {
        let token_hash: String
        let token_type: String
        let label: String
    }

    static let unauthorized = APIError(.unauthorized, code: "UNAUTHORIZED", message: "The report's signature is missing, unknown or wrong")

    @Sendable func report(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let reporters else { throw APIError.notFound("No route for POST /security/leaked-keys") }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let raw = Data(body.readableBytesView)
        guard let identifier = request.headers[Self.identifierHeader], let encoded = request.headers[Self.signatureHeader],
            let key = reporters.key(identifier), let der = Data(base64Encoded: encoded),
            let signature = try? P256.Signing.ECDSASignature(derRepresentation: der), key.isValidSignature(signature, for: raw)
        else {
            context.logger.warning("leak report refused: bad or missing signature")
            throw Self.unauthorized
        }
        let bodyDigest = Data(SHA256.hash(data: raw))
        if let answer = try await keys.leakReportAnswer(bodyDigest: bodyDigest) {
            return Self.json(answer)
        }
        try request.requireJSONContentType()
        guard let reported = try? JSONRequestDecoding.decode([Reported].self, from: Array(raw), decoder: JSONDecoder()) else {
            throw APIError.validation("The body must be a JSON array of {\"token\", \"type\", \"url\", \"source\"}")
        }
        var labels: [Label] = []
        for item in reported {
            let hash = SHA256.hash(data: Data(item.token.utf8)).map { String(format: "%02x", $0) }.joined()
            var revoked = false
            if let token = APIKeyToken(parsing: item.token) {
                revoked = try await keys.revokeLeaked(digest: token.digest, url: item.url, reporter: identifier)
            }
            labels.append(Label(token_hash: hash, token_type: item.type ?? "", label: revoked ? "true_positive" : "false_positive"))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let answer = String(decoding: try encoder.encode(labels), as: UTF8.self)
        try await keys.recordLeakReport(bodyDigest: bodyDigest, reporter: identifier, answer: answer)
        context.logger.info(
            "leak report",
            metadata: [
                "reporter": "\(identifier)", "tokens": "\(labels.count)", "revoked": "\(labels.filter { $0.label == "true_positive" }.count)",
            ])
        return Self.json(answer)
    }

    static func json(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
