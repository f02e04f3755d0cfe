import Crypto
import Foundation
import Logging
import Synchronization

/// The public keys of trusted secret scanners (docs/api-guide.md, "Leaked keys"), from `LEAK_REPORTER_KEYS_FILE` in
/// the format GitHub publishes: `{"public_keys": [{"key_identifier", "key" (PEM), "is_current"}]}`.
/// Read again when the file changes (checked at each report; reports are rare) or on SIGHUP.
final class ReporterKeys: Sendable {
    struct Loaded: Sendable {
        /// Each key's DER form (swift-crypto's key type is not `Sendable`); parsed again per report.
        var keys: [String: Data] = [:]
        var modified: Date?
    }

    let path: String
    let logger: Logger
    private let loaded = Mutex(Loaded())

    /// Reads `path` at once; a missing or malformed file is a configuration error then.
    init(path: String, logger: Logger) throws {
        self.path = path
        self.logger = logger
        let first = try Self.read(path)
        loaded.withLock { $0 = first }
    }

    /// The key named `identifier`, reading the file again first if it changed.
    func key(_ identifier: String) -> P256.Signing.PublicKey? {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate]) as? Date
        if modified != loaded.withLock({ $0.modified }) { reload() }
        return loaded.withLock { $0.keys[identifier] }.flatMap { try? P256.Signing.PublicKey(derRepresentation: $0) }
    }

    /// Reads the file again; keeps the keys it had when the new file cannot be read.
    func reload() {
        do {
            let fresh = try Self.read(path)
            loaded.withLock { $0 = fresh }
            logger.info("leak reporter keys loaded", metadata: ["count": "\(fresh.keys.count)"])
        } catch {
            logger.error("leak reporter keys not reloaded; keeping the previous ones", metadata: ["error": "\(error)"])
        }
    }

    static func read(_ path: String) throws -> Loaded {
        struct File: Decodable {
            struct Key: Decodable {
                let key_identifier: String
                let key: String
            }
            let public_keys: [Key]
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let file = try JSONDecoder().decode(File.self, from: data)
        /// Each key's DER form (swift-crypto's key type is not `Sendable`); parsed again per report.
        var keys: [String: Data] = [:]
        for entry in file.public_keys {
            keys[entry.key_identifier] = try P256.Signing.PublicKey(pemRepresentation: entry.key).derRepresentation
        }
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate]) as? Date
        return Loaded(keys: keys, modified: modified)
    }
}
