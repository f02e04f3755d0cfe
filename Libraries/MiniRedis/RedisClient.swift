import Crypto
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The smallest Redis client the rate-limit ledger needs: RESP2 over SwiftNIO, a few pipelined
/// connections used in turn, a timeout on every command, and reconnection on the next command
/// after a connection is lost. (Where RediStack or valkey-swift resolve, either replaces it.)
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    let group: any EventLoopGroup
    let slots: [Slot]
    let turn = NIOLockedValueBox(0)
    let logger: Logger

    public init(configuration: RedisConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) {
        self.configuration = configuration
        self.group = group
        self.slots = (0..<max(1, configuration.connections)).map { _ in Slot() }
        self.logger = logger
    }

    /// Sends one command (`["INCRBY", "k", "1"]`) and returns its answer; an error answer throws `RedisError.server`.
    @discardableResult
    public func send(_ arguments: [String]) async throws -> RESPValue {
        let slot = turn.withLockedValue { turn in
            defer { turn &+= 1 }
            return slots[turn % slots.count]
        }
        let channel = try await slot.channel { try await self.connect() }
        return try await Self.send(arguments, on: channel, timeout: configuration.timeout)
    }

    /// Runs a Lua script by its digest, loading it first if the server does not know it yet.
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> RESPValue {
        let rest = ["\(keys.count)"] + keys + arguments
        do {
            return try await send(["EVALSHA", script.digest] + rest)
        } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
            return try await send(["EVAL", script.source] + rest)
        }
    }

    /// Closes every connection; a later command opens one again.
    public func close() async {
        for slot in slots {
            if let channel = try? await slot.current() { try? await channel.close() }
        }
    }

    /// A new connection, signed in and on its database.
    func connect() async throws -> any Channel {
        let configuration = configuration
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(configuration.timeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RedisCommandHandler())
                }
            }
            .connect(host: configuration.host, port: configuration.port).get()
        do {
            if let password = configuration.password {
                try await Self.send(["AUTH"] + (configuration.username.map { [$0] } ?? []) + [password], on: channel, timeout: configuration.timeout)
            }
            if configuration.database != 0 {
                try await Self.send(["SELECT", "\(configuration.database)"], on: channel, timeout: configuration.timeout)
            }
        } catch {
            try? await channel.close()
            throw error
        }
        logger.debug("connected to Redis", metadata: ["redis": "\(configuration.host):\(configuration.port)"])
        return channel
    }

    /// Writes one command on `channel` and waits for its answer; past `timeout`, closes the
    /// connection (which fails every command still waiting on it) rather than let a late answer
    /// be paired with the wrong command.
    @discardableResult
    static func send(_ arguments: [String], on channel: any Channel, timeout: Duration) async throws -> RESPValue {
        var bytes = channel.allocator.buffer(capacity: 64)
        RESPCommand.encode(arguments, into: &bytes)
        let answer = channel.eventLoop.makePromise(of: RESPValue.self)
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            answer.fail(RedisError.timeout)
            channel.close(promise: nil)
        }
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in answer.fail(RedisError.connectionClosed) }
        channel.writeAndFlush(PendingCommand(bytes: bytes, answer: answer), promise: written)
        defer { timer.cancel() }
        let value = try await answer.futureResult.get()
        if case .error(let message) = value { throw RedisError.server(message) }
        return value
    }

    /// One connection of the pool: opened when first needed, and again after it closed.
    final class Slot: Sendable {
        let connecting = NIOLockedValueBox<Task<any Channel, any Error>?>(nil)

        /// The open connection, or a new one from `connect` (one attempt at a time, shared by every waiting command).
        func channel(_ connect: @escaping @Sendable () async throws -> any Channel) async throws -> any Channel {
            for _ in 0..<2 {
                let attempt = connecting.withLockedValue { current in
                    if let current { return current }
                    let attempt = Task { try await connect() }
                    current = attempt
                    return attempt
                }
                do {
                    let channel = try await attempt.value
                    if channel.isActive { return channel }
                    forget(attempt)
                } catch {
                    forget(attempt)
                    throw error
                }
            }
            throw RedisError.connectionClosed
        }

        /// The connection, if one was made.
        func current() async throws -> (any Channel)? {
            try await connecting.withLockedValue { $0 }?.value
        }

        private func forget(_ attempt: Task<any Channel, any Error>) {
            connecting.withLockedValue { current in
                if current == attempt { current = nil }
            }
        }
    }
}

/// A Lua script and its SHA-1 digest, by which `EVALSHA` runs it.
public struct RedisScript: Sendable {
    public let source: String
    public let digest: String

    public init(_ source: String) {
        self.source = source
        self.digest = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
