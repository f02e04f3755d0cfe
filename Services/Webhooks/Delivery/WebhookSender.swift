import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Shared

/// Makes one attempt of a message (docs/design/webhooks.md): checks the URL again, resolves its
/// host once and refuses it unless every address is allowed, signs the body with every live
/// secret, and sends it to the checked address (`PinnedSender`). Never throws: every way an
/// attempt can end is an `AttemptOutcome` for the log.
struct WebhookSender: Sendable {
    let destinations: DestinationPolicy
    let pinned: PinnedSender

    func attempt(_ message: ClaimedMessage, secrets: [WebhookSecret]) async -> AttemptOutcome {
        let attemptedAt = Date()
        let started = ContinuousClock.now
        func outcome(status: Int? = nil, error: String?, excerpt: String? = nil, retryAfter: Double? = nil) -> AttemptOutcome {
            let elapsed = ContinuousClock.now - started
            return AttemptOutcome(
                attemptedAt: attemptedAt, durationMs: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
                responseStatus: status, error: error, excerpt: excerpt, retryAfter: retryAfter)
        }
        guard !secrets.isEmpty else { return outcome(error: "the endpoint has no live secret to sign with") }
        do {
            let destination = try destinations.destination(message.url)
            let addresses = try await destinations.addresses(of: destination)
            // IPv4 first: a host with both is reached the way most receivers are set up to answer.
            let address = addresses.first(where: { $0.count == 4 }) ?? addresses[0]
            let timestamp = Int(attemptedAt.timeIntervalSince1970)
            let body = Array(message.body.utf8)
            let headers = [
                ("webhook-id", message.eventId), ("webhook-timestamp", String(timestamp)),
                ("webhook-signature", WebhookSignature.header(id: message.eventId, timestamp: timestamp, body: body, secrets: secrets)),
                ("content-type", "application/json"), ("user-agent", "Evalyo-Webhooks/1.0"),
            ]
            let answer = try await withTimeout(PinnedSender.attemptLimit) {
                try await pinned.send(url: destination.url, host: destination.host, address: IPNetwork.text(address), headers: headers, body: body)
            }
            let error: String? =
                switch answer.status {
                case 200..<300: nil
                case 300..<400: "answered \(answer.status), a redirect: redirects are not followed"
                default: "answered \(answer.status)"
                }
            let retryAfter = [429, 503].contains(answer.status) ? DeliverySchedule.retryAfter(answer.retryAfter) : nil
            return outcome(status: answer.status, error: error, excerpt: answer.excerpt, retryAfter: retryAfter)
        } catch let refusal as DestinationPolicy.Refusal {
            return outcome(error: "not sent: \(refusal.description)")
        } catch is TimeoutError {
            return outcome(error: "no complete answer within \(PinnedSender.attemptLimit.components.seconds) seconds")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return outcome(error: "no complete answer within \(PinnedSender.attemptLimit.components.seconds) seconds")
        } catch {
            return outcome(error: "could not be sent: \(String(describing: error).prefix(200))")
        }
    }
}
