import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Writes log lines to a file descriptor from a thread of its own, so that a request never
/// waits for a `write` system call: lines are appended to a buffer under a lock and the thread
/// writes what has gathered every few milliseconds, in order. A burst larger than `limit` is
/// written by the logging thread itself (nothing is dropped), and the buffer is flushed when the
/// process exits (`exit`, the end of `main`); only a crash can lose the last milliseconds.
public final class LogWriter: Sendable {
    /// The process's standard error.
    public static let standardError = LogWriter(descriptor: STDERR_FILENO)

    let descriptor: Int32
    let buffer = Mutex<[UInt8]>([])
    /// Bytes past which a line's writer flushes at once instead of leaving it to the thread.
    let limit = 1 << 20

    init(descriptor: Int32) {
        self.descriptor = descriptor
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.005)
                flush()
            }
        }
        thread.name = "log-writer"
        thread.start()
        LogWriter.registerFlushAtExit()
    }

    /// Queues one whole line.
    public func append(_ line: String) {
        let full = buffer.withLock { buffer in
            buffer.append(contentsOf: line.utf8)
            return buffer.count > limit
        }
        if full { flush() }
    }

    /// Writes everything queued so far, in order.
    public func flush() {
        // One flush at a time keeps the order of lines across the thread and a caller.
        LogWriter.flushing.withLock { _ in
            let pending = buffer.withLock { buffer -> [UInt8] in
                defer { buffer.removeAll(keepingCapacity: true) }
                return buffer
            }
            var offset = 0
            while offset < pending.count {
                let written = pending[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if written <= 0 { break }
                offset += written
            }
        }
    }

    static let flushing = Mutex(())

    private static func registerFlushAtExit() {
        atexit { LogWriter.standardError.flush() }
    }
}
