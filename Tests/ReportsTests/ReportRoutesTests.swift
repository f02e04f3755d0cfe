import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import Reports

@Suite("The reports service's routes match the OpenAPI document")
struct ReportRoutesTests {
    @Test func theOpenAPIDocumentDescribesExactlyTheseRoutesAndScopes() throws {
        let postgres = PostgresClient(configuration: try DatabaseURL.configuration(from: "postgres://u:p@127.0.0.1:1/none"))
        let table = buildRoutes(
            ScopedRoutes(router: Router(context: AppRequestContext.self)), reports: ReportRepository(client: postgres, logger: Logger(label: "test"))
        ).table
        #expect(!table.isEmpty)
        #expect(try OpenAPIDocument.operations(servedBy: "reports") == Set(table.map(\.description)))
    }
}
