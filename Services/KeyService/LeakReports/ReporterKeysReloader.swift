import Logging
import ServiceLifecycle
import UnixSignals

/// Reads the leak reporters' keys again on SIGHUP, as operators expect of a daemon.
struct ReporterKeysReloader: Service {
    let keys: ReporterKeys

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                keys.logger.info("SIGHUP: reading the leak reporters' keys again")
                keys.reload()
            }
        }
    }
}
