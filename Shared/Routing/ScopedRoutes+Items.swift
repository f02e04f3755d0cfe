import Foundation
import HTTPTypes
import Hummingbird

extension ScopedRoutes {
    /// `GET path` (ending in `{id}`): the organization's resource, or 404.
    public func getItem<Store: ResourceStore, View: ResponseGenerator>(
        _ path: String, _ scope: Scope, from store: Store, as view: @escaping @Sendable (Store.Model) -> View, notFound: APIError
    ) {
        get(path, scope) { _, context in
            let id = try context.parameters.uuid("id")
            guard let model = try await store.find(id: id, organizationId: context.organizationId) else { throw notFound }
            return view(model)
        }
    }

    /// `PATCH path`: applies the fields sent to the stored resource, validated whole; 404 if none.
    public func patchItem<Store: ResourceStore, Input: ResourceInput, View: ResponseGenerator>(
        _ path: String, _ scope: Scope, in store: Store, with input: Input.Type, as view: @escaping @Sendable (Store.Model) -> View,
        notFound: APIError
    ) where Input.Model == Store.Model {
        patch(path, scope) { request, context in
            let id = try context.parameters.uuid("id")
            let body = try await request.decodeJSON(as: Input.self, context: context)
            let now = Date()
            guard let model = try await store.update(id: id, organizationId: context.organizationId, { try body.apply(to: $0, id: id, now: now) })
            else { throw notFound }
            return view(model)
        }
    }

    /// `DELETE path`: 204, or 404 when there is nothing (also the second time).
    public func deleteItem<Store: ResourceStore>(_ path: String, _ scope: Scope, from store: Store, notFound: APIError) {
        delete(path, scope) { _, context -> HTTPResponse.Status in
            let id = try context.parameters.uuid("id")
            guard try await store.delete(id: id, organizationId: context.organizationId) else { throw notFound }
            return .noContent
        }
    }
}
