// swift-tools-version:6.2
// The map of the platform: one shared library, one executable per service, their tests.
import PackageDescription

/// The same language settings for every target (penny-bot's habit: one list, used everywhere).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Tests import what they use through the targets they test; member-import strictness would
/// only make them list every transitive module again.
let testSwiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

/// The server libraries that `Shared` and every service import directly.
let serverLibraries: [Target.Dependency] = [
    .product(name: "Hummingbird", package: "hummingbird"),
    .product(name: "HTTPTypes", package: "swift-http-types"),
    .product(name: "PostgresNIO", package: "postgres-nio"),
    .product(name: "Crypto", package: "swift-crypto"),
    .product(name: "Logging", package: "swift-log"),
    .product(name: "Metrics", package: "swift-metrics"),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    // Each executable's subcommands (`serve`, `outbox list`), with usage text and errors for free.
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
]

/// A service executable: `Shared`, the server libraries, and what it alone needs.
func service(_ name: String, path: String, extra: [Target.Dependency] = [], resources: [Resource]? = nil) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["Shared"] + serverLibraries + extra,
        path: path,
        resources: resources,
        swiftSettings: swiftSettings
    )
}

/// A service's router and storage tests, in `Tests/<name>Tests`: the service, `Shared`,
/// `TestSupport` and Hummingbird's test client.
func serviceTests(_ service: String, extra: [Target.Dependency] = []) -> Target {
    .testTarget(
        name: "\(service)Tests",
        dependencies: [.byName(name: service), "Shared", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")] + extra,
        path: "Tests/\(service)Tests",
        swiftSettings: testSwiftSettings
    )
}

let package = Package(
    name: "evalyo",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "key-service", targets: ["KeyService"]),
        .executable(name: "catalog", targets: ["Catalog"]),
        .executable(name: "interviews", targets: ["Interviews"]),
        .executable(name: "reports", targets: ["Reports"]),
        .executable(name: "webhooks", targets: ["Webhooks"]),
        .executable(name: "auth-bench", targets: ["AuthBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // TLS to PostgreSQL (sslmode, sslrootcert): already under postgres-nio, named for its types.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Subcommands and their flags (`key-service create-admin --org --email --password`),
        // with usage text and errors for free; the Hummingbird template uses it too.
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // What every service needs: configuration, database and migrations, errors,
        // request ids, logging, metrics, health, API-key format and scopes, and the
        // API-key authentication of resource services (introspection client and cache).
        .target(
            name: "Shared",
            dependencies: serverLibraries + [
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // Request deadlines as timers on the event loops.
                .product(name: "NIOPosix", package: "swift-nio"),
                // SIGTERM and SIGINT start a shutdown the ServiceRuntime bounds.
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Shared",
            swiftSettings: swiftSettings
        ),
        // The smallest Redis client the rate-limit ledger needs (RESP2 over SwiftNIO); no Swift
        // Redis client resolves here (RediStack or valkey-swift would replace it).
        .target(
            name: "MiniRedis",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Libraries/MiniRedis",
            swiftSettings: swiftSettings
        ),
        // Organizations, console users and sessions, API keys, introspection.
        service(
            "KeyService", path: "Services/KeyService",
            extra: [
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // The rate-limit ledger's Redis store (RATE_LIMIT_STORE=redis://...).
                "MiniRedis",
                // SIGHUP reloads the leak reporters' keys.
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            resources: [
                // The console page, its script and style sheet: plain files, served from memory.
                .copy("Console/Assets"),
                // The OpenAPI document of the public API and the reference page read from it.
                .copy("APIDocs/Docs"),
            ]),
        // Jobs, candidates, campaigns, stages and campaign membership.
        service("Catalog", path: "Services/Catalog"),
        // Agents, tests and assignments, interviews; the agent runtime's internal endpoints.
        service("Interviews", path: "Services/Interviews"),
        // Reports of completed interviews and tests, written from delivered events.
        service("Reports", path: "Services/Reports"),
        // AsyncHTTPClient: the deliveries, each connecting to the address that was checked (its dnsOverride).
        // NIOSSL: the deliveries' TLS, with an operator's own authorities trusted too (WEBHOOK_CA_FILE).
        service(
            "Webhooks", path: "Services/Webhooks",
            extra: [.product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOSSL", package: "swift-nio-ssl")]),
        // scripts/bench's in-process side: nanoseconds per cached verification and per rate-limit
        // admission, and the plain Hummingbird endpoint the services are compared with.
        .executableTarget(
            name: "AuthBenchmark",
            dependencies: ["Shared"] + serverLibraries,
            path: "Benchmarks/AuthBenchmark",
            swiftSettings: swiftSettings
        ),
        // Test helpers: a fresh database per test, free ports, launching the real executables.
        .target(
            name: "TestSupport",
            dependencies: [
                "Shared",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/Support",
            swiftSettings: testSwiftSettings
        ),
        .testTarget(
            name: "SharedTests",
            dependencies: [
                "Shared",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/SharedTests",
            swiftSettings: testSwiftSettings
        ),
        serviceTests("KeyService", extra: [.product(name: "AsyncHTTPClient", package: "async-http-client"), "MiniRedis"]),
        // The Redis client against a real redis-server (TEST_REDIS_URL, started by scripts/test).
        .testTarget(
            name: "MiniRedisTests",
            dependencies: [
                "MiniRedis", "TestSupport", .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Tests/MiniRedisTests",
            swiftSettings: testSwiftSettings
        ),
        serviceTests("Catalog"),
        serviceTests("Interviews"),
        serviceTests("Reports"),
        serviceTests("Webhooks"),
        // The whole platform as real processes behind the gateway, and the console in a browser.
        .testTarget(
            name: "SystemTests",
            dependencies: [
                "TestSupport",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // HTTPS through the gateway, trusting a certificate authority made in the test.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // Signs the leak reports a secret scanner would send.
                .product(name: "Crypto", package: "swift-crypto"),
                // Reads and slows a service's own database in the crash tests.
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/SystemTests",
            swiftSettings: testSwiftSettings
        ),
    ]
)
