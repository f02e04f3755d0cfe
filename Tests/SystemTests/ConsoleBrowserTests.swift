import Crypto
import Foundation
import TestSupport
import Testing

/// The console page in a real headless Chromium (Selenium), against the real processes behind
/// the gateway: `Tests/Browser/console_browser_test.py` drives it; this starts everything and
/// hands over. `scripts/test` installs Chromium, its driver and Selenium, and prints where the
/// screenshots go.
@Suite("The console page: the key life cycle in a real browser", .serialized)
struct ConsoleBrowserTests {
    @Test func anAdminCreatesUsesAndRevokesAKeyInTheBrowser() async throws {
        let environment = ProcessInfo.processInfo.environment
        let python = try #require(
            environment["EVALYO_PYTHON"], "EVALYO_PYTHON (a Python with Selenium) is set by scripts/test; run the tests through it"
        )
        // A secret scanner the browser test reports a leak as (it signs with openssl).
        let reporter = P256.Signing.PrivateKey()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("evalyo-reporter-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let privateKey = folder.appendingPathComponent("private.pem")
        try reporter.pemRepresentation.write(to: privateKey, atomically: true, encoding: .utf8)
        let list: [String: Any] = [
            "public_keys": [["key_identifier": "browser-reporter", "key": reporter.publicKey.pemRepresentation, "is_current": true]]
        ]
        let listFile = folder.appendingPathComponent("public_keys.json")
        try JSONSerialization.data(withJSONObject: list).write(to: listFile)
        let platform = try await Platform.launch(keyServiceEnvironment: ["LEAK_REPORTER_KEYS_FILE": listFile.path])
        let organization = try await platform.keyService.newOrganization(consoleURL: platform.gateway.url)
        let screenshots =
            environment["EVALYO_SCREENSHOTS"] ?? FileManager.default.temporaryDirectory.appendingPathComponent("evalyo-screenshots").path
        let script = URL(fileURLWithPath: environment["EVALYO_BROWSER_TEST"] ?? "Tests/Browser/console_browser_test.py")

        let run = try ChildProcess(
            URL(fileURLWithPath: python), arguments: [script.path],
            environment: [
                "EVALYO_URL": platform.gateway.url, "EVALYO_EMAIL": organization.email, "EVALYO_PASSWORD": organization.password,
                "EVALYO_SCREENSHOTS": screenshots, "HOME": FileManager.default.temporaryDirectory.path,
                "EVALYO_LEAK_REPORTER_KEY": privateKey.path, "EVALYO_LEAK_REPORTER_ID": "browser-reporter",
                "PATH": environment["PATH"] ?? "/usr/bin:/bin",
            ]
        )
        let status = try await run.waitForExit(timeout: .seconds(180))
        #expect(status == 0, "\(run.output)")
        #expect(run.output.contains("the console's key life cycle works in Chromium"))
        _ = await platform.stop()
    }
}
