import Foundation
import HTTPTypes
import HummingbirdTesting
import Shared
import Testing

/// A service's route table walked with real keys (docs/adding-a-route.md): every route refuses a
/// key holding every scope but its own with 403 naming the scope, and lets a key holding only
/// its scope through (neither 401 nor 403). Path parameters get random ids.
public enum ScopeMatrix {
    public static func check(
        _ table: [ScopedRoute], organization: some TestKeyOrganization,
        call: (_ method: HTTPRequest.Method, _ path: String, _ key: String) async throws -> TestResponse,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        #expect(!table.isEmpty, sourceLocation: sourceLocation)
        var only: [Scope: String] = [:]
        var allBut: [Scope: String] = [:]
        for scope in Set(table.map(\.scope)) {
            only[scope] = try await organization.key([scope.rawValue]).key
            allBut[scope] = try await organization.key(Scope.allCases.filter { $0 != scope }.map(\.rawValue)).key
        }
        for route in table {
            let path = route.path.split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix("{") ? UUID().uuidString : String($0) }.joined(separator: "/")
            let refused = try await call(route.method, path, allBut[route.scope]!)
            #expect(
                refused.status == .forbidden && apiError(refused)?.requiredScope == route.scope.rawValue, "\(route)", sourceLocation: sourceLocation)
            let accepted = try await call(route.method, path, only[route.scope]!)
            #expect(![.unauthorized, .forbidden].contains(accepted.status), "\(route): \(accepted.status)", sourceLocation: sourceLocation)
        }
    }
}
