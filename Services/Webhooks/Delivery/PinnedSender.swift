import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceLifecycle
import Synchronization

/// Sends one webhook attempt to an address that was checked (docs/design/webhooks.md): the
/// connection goes to that address, never to what the name resolves to by then, while the
/// request's Host and TLS (the server name and the certificate's) stay the URL's host. No
/// redirect is followed, an attempt lasts at most 15 seconds, and at most 64 KiB of the answer
/// is read, of which 1 KiB is kept.
///
/// AsyncHTTPClient's `dnsOverride` does the pinning; a client is kept per (host, address) and
/// reused while the host keeps resolving to the same address, so connections are kept alive
/// across attempts to one endpoint. (A client per endpoint: one that hangs holds only its own.)
final class PinnedSender: Service, Sendable {
    struct Answer: Sendable, Equatable {
        let status: Int
        /// At most `keptBytes` of the body, as text.
        let excerpt: String
        let retryAfter: String?
    }

    static let timeout = TimeAmount.seconds(15)
    /// The whole attempt, connecting and reading the answer included.
    static let attemptLimit = Duration.seconds(15)
    static let readLimit = 64 * 1024
    static let keptBytes = 1024
    /// Clients kept at once; past it the oldest is shut down.
    static let capacity = 1000

    private let clients = Mutex<[String: HTTPClient]>([:])
    private let order = Mutex<[String]>([])
    /// Certificate authorities trusted besides the system's (`WEBHOOK_CA_FILE`, a PEM file): an
    /// operator's own, for receivers inside a network it allowed.
    let additionalAuthorities: String?

    init(additionalAuthorities: String? = nil) {
        self.additionalAuthorities = additionalAuthorities
    }

    /// The client that connects `host` to `address` and nowhere else.
    private func client(host: String, address: String) -> HTTPClient {
        let key = "\(host) \(address)"
        if let existing = clients.withLock({ $0[key] }) { return existing }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: Self.timeout))
        configuration.dnsOverride = [host: address]
        configuration.decompression = .disabled
        var tls = TLSConfiguration.makeClientConfiguration()
        if let additionalAuthorities { tls.additionalTrustRoots = [.file(additionalAuthorities)] }
        configuration.tlsConfiguration = tls
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let (kept, evicted) = clients.withLock { clients -> (HTTPClient, HTTPClient?) in
            if let raced = clients[key] { return (raced, client) }
            clients[key] = client
            let evictedKey: String? = order.withLock { order in
                order.append(key)
                return order.count > Self.capacity ? order.removeFirst() : nil
            }
            return (client, evictedKey.flatMap { clients.removeValue(forKey: $0) })
        }
        if let evicted { Task { try? await evicted.shutdown() } }
        return kept
    }

    /// POSTs `body` to `url`, connecting to `address` (a checked address of the URL's host).
    func send(url: String, host: String, address: String, headers: [(String, String)], body: [UInt8]) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client(host: host, address: address).execute(request, timeout: Self.timeout)
        var read = ByteBuffer()
        for try await chunk in response.body {
            var chunk = chunk
            let room = Self.readLimit - read.readableBytes
            if room <= 0 { break }
            if let slice = chunk.readSlice(length: min(room, chunk.readableBytes)) {
                var slice = slice
                read.writeBuffer(&slice)
            }
        }
        let kept = read.getBytes(at: read.readerIndex, length: min(read.readableBytes, Self.keptBytes)) ?? []
        return Answer(
            status: Int(response.status.code), excerpt: String(decoding: kept, as: UTF8.self), retryAfter: response.headers.first(name: "Retry-After")
        )
    }

    /// Runs until the service stops, then shuts every client down: the dispatcher, which runs
    /// after it in the service group, has finished its attempts by then.
    func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Shuts every client down.
    func shutdown() async {
        let all = clients.withLock { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        order.withLock { $0.removeAll() }
        for client in all { try? await client.shutdown() }
    }
}
