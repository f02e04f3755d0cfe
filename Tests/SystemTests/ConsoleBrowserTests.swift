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
        let platform = try await Platform.launch()
        let organization = try await platform.keyService.newOrganization(consoleURL: platform.gateway.url)
        let screenshots = environment["EVALYO_SCREENSHOTS"] ?? FileManager.default.temporaryDirectory.appendingPathComponent("evalyo-screenshots").path
        let script = URL(fileURLWithPath: environment["EVALYO_BROWSER_TEST"] ?? "Tests/Browser/console_browser_test.py")

        let run = try ChildProcess(
            URL(fileURLWithPath: python), arguments: [script.path],
            environment: [
                "EVALYO_URL": platform.gateway.url, "EVALYO_EMAIL": organization.email, "EVALYO_PASSWORD": organization.password,
                "EVALYO_SCREENSHOTS": screenshots, "HOME": FileManager.default.temporaryDirectory.path,
            ]
        )
        let status = try await run.waitForExit(timeout: .seconds(180))
        #expect(status == 0, "\(run.output)")
        #expect(run.output.contains("the console's key life cycle works in Chromium"))
        _ = await platform.stop()
    }
}
