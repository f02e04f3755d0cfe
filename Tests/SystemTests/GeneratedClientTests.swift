import Foundation
import TestSupport
import Testing

/// What an integrator does first: generate a Python client from the document the platform
/// serves (openapi-python-client), type-check it with mypy in strict mode, and run an
/// integration written against it (Tests/Client/scenario.py) through the real gateway.
/// `scripts/test` installs the tools (PyPI) and sets `EVALYO_CLIENT_TOOLS`.
@Suite("A Python client generated from the served document type-checks and runs an integration", .serialized)
struct GeneratedClientTests {
    @Test func theGeneratedClientTypeChecksStrictlyAndEveryAnswerParses() async throws {
        let environment = ProcessInfo.processInfo.environment
        let tools = try #require(environment["EVALYO_CLIENT_TOOLS"], "EVALYO_CLIENT_TOOLS (openapi-python-client, mypy) is set by scripts/test")
        let scenario = environment["EVALYO_CLIENT_SCENARIO"] ?? "Tests/Client/scenario.py"
        let platform = try await Platform.launch()
        let organization = try await platform.keyService.newOrganization(consoleURL: platform.gateway.url)
        let key = try await organization.keyWithEveryScope()
        let readKey = try await organization.key(["jobs:read"]).key
        let limitedKey = try await platform.keyService.newOrganization(plan: ["starter"]).key(["jobs:read"]).key

        // The document as a user fetches it, from the gateway.
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("evalyo-client-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let served = try await HTTPExchange.send(.GET, platform.gateway.url + "/api/v1/openapi.json")
        #expect(served.status == 200)
        try Data(served.body.utf8).write(to: work.appendingPathComponent("openapi.json"))

        let path = "\(tools):\(environment["PATH"] ?? "/usr/bin:/bin")"
        let common = ["PATH": path, "HOME": work.path]
        func run(_ tool: String, _ arguments: [String], _ extra: [String: String] = [:]) async throws -> (Int32?, String) {
            let process = try ChildProcess(
                URL(fileURLWithPath: "\(tools)/\(tool)"), arguments: arguments, environment: common.merging(extra) { $1 },
                directory: work)
            let status = try await process.waitForExit(timeout: .seconds(300))
            return (status, process.output)
        }

        let (generated, generation) = try await run(
            "openapi-python-client", ["generate", "--path", "openapi.json", "--output-path", "client", "--meta", "setup"])
        #expect(generated == 0, "\(generation)")
        let package = work.appendingPathComponent("client/evalyo_api_client")
        // One class per enumeration and per schema: no numbered variants of one type.
        let models = try FileManager.default.contentsOfDirectory(atPath: package.appendingPathComponent("models").path)
        #expect(models.filter { $0.contains("_type_") }.isEmpty, "\(models.sorted())")
        for expected in ["work_mode.py", "job_page.py", "error_response.py", "interview_evaluation.py", "agent_voice.py"] {
            #expect(models.contains(expected), "\(expected) in \(models.sorted())")
        }
        try FileManager.default.copyItem(atPath: scenario, toPath: work.appendingPathComponent("client/scenario.py").path)

        let (checked, mypy) = try await run(
            "mypy", ["--strict", "client/evalyo_api_client", "client/scenario.py"], ["MYPYPATH": work.appendingPathComponent("client").path])
        #expect(checked == 0, "\(mypy)")

        let (ran, output) = try await run(
            "python", ["client/scenario.py"],
            [
                "PYTHONPATH": work.appendingPathComponent("client").path, "EVALYO_URL": platform.gateway.url,
                "EVALYO_KEY": key, "EVALYO_READ_KEY": readKey, "EVALYO_LIMITED_KEY": limitedKey,
            ])
        #expect(ran == 0, "\(output)")
        #expect(output.contains("every answer parsed into its documented model"), "\(output)")
        _ = await platform.stop()
    }
}
