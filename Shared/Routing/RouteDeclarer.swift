import HTTPTypes
import Hummingbird

/// Routes declared together with what each asks of its caller: a scope for the public API
/// (`ScopedRoutes`), a role for the console (the key service's `ConsoleRoutes`). A conforming
/// type checks the requirement in `on` before the handler runs and keeps a table of what it
/// declared, so that a test can walk every route; the verbs below are spelled once, here.
public protocol RouteDeclarer: AnyObject, Sendable {
    associatedtype Requirement
    associatedtype Context: RequestContext

    func on<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String, _ requirement: Requirement,
        use handler: @escaping @Sendable (Request, Context) async throws -> Output
    )
}

extension RouteDeclarer {
    public func get<Output: ResponseGenerator>(
        _ path: String, _ requirement: Requirement, use handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) {
        on(.get, path, requirement, use: handler)
    }

    public func post<Output: ResponseGenerator>(
        _ path: String, _ requirement: Requirement, use handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) {
        on(.post, path, requirement, use: handler)
    }

    public func patch<Output: ResponseGenerator>(
        _ path: String, _ requirement: Requirement, use handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) {
        on(.patch, path, requirement, use: handler)
    }

    public func delete<Output: ResponseGenerator>(
        _ path: String, _ requirement: Requirement, use handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) {
        on(.delete, path, requirement, use: handler)
    }
}
