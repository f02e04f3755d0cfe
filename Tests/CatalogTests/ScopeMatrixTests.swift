import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import Catalog

@Suite("Every catalog route checks its scope")
struct ScopeMatrixTests {
    /// The catalog's route table, as `buildRoutes` declares it.
    static func table() throws -> [ScopedRoute] {
        let postgres = PostgresClient(configuration: try DatabaseURL.configuration(from: "postgres://u:p@127.0.0.1:1/none"))
        return buildRoutes(
            ScopedRoutes(router: Router(context: AppRequestContext.self)), postgres: postgres, interviews: FakeInterviews(),
            logger: Logger(label: "test")
        ).table
    }

    @Test func theTableCoversTheContractAndReadsNeedReadScopes() throws {
        let table = try Self.table()
        #expect(!table.isEmpty)
        for route in table {
            let resource = route.path.split(separator: "/")[2]
            #expect(route.scope.rawValue.hasPrefix(resource + ":"), "\(route)")
            #expect(route.scope.rawValue.hasSuffix(route.method == .get ? ":read" : ":write"), "\(route)")
        }
    }

    @Test func theOpenAPIDocumentDescribesExactlyTheseRoutesAndScopes() throws {
        let documented = try OpenAPIDocument.operations(servedBy: "catalog")
        #expect(documented == Set(try Self.table().map(\.description)))
    }

    @Test func eachRouteRefusesAKeyLackingItsScopeAndAcceptsOneHoldingOnlyIt() async throws {
        let table = try Self.table()
        try await CatalogHarness().run { client in
            try await ScopeMatrix.check(table, organization: try await client.keyService.newOrganization()) { method, path, key in
                try await client.call(method, path, key: key, body: [:])
            }
        }
    }
}
