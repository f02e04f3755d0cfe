import DequeModule
import NIOCore

/// A command on its way, and where its answer goes.
struct PendingCommand {
    let bytes: ByteBuffer
    let answer: EventLoopPromise<RESPValue>
}

/// Pairs answers with commands in the order they were written: Redis answers a connection's
/// commands in order, so many can be in flight on one connection (pipelining).
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = PendingCommand
    typealias OutboundOut = ByteBuffer

    private var waiting = Deque<EventLoopPromise<RESPValue>>()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let command = unwrapOutboundIn(data)
        waiting.append(command.answer)
        context.write(wrapOutboundOut(command.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let answer = waiting.popFirst() else {
            // An answer nobody asked for: the connection cannot be trusted to pair answers any more.
            context.fireErrorCaught(RedisError.protocolViolation("an answer to no command"))
            return
        }
        answer.succeed(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error is RedisError ? error : RedisError.protocolViolation(String(describing: error)))
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        while let answer = waiting.popFirst() { answer.fail(error) }
    }
}
