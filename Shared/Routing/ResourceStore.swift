import Foundation

/// Storage of one kind of resource, always within one organization: what the standard
/// `GET`, `PATCH` and `DELETE` of `/{id}` need (`ScopedRoutes.getItem` and its siblings).
public protocol ResourceStore: Sendable {
    associatedtype Model: Sendable

    /// The resource, if the organization has it.
    func find(id: UUID, organizationId: UUID) async throws -> Model?
    /// Applies `change` to the stored resource under a lock and stores the result; nil if there is none.
    func update(id: UUID, organizationId: UUID, _ change: @Sendable (Model) throws -> Model) async throws -> Model?
    /// Deletes the resource; false if there is none.
    func delete(id: UUID, organizationId: UUID) async throws -> Bool
}

/// A request body that creates a resource (every field) or patches one (the fields present).
public protocol ResourceInput: Decodable, Sendable {
    associatedtype Model: Sendable

    /// The resource after applying these fields to `current` (a new one with `id` when nil),
    /// validated whole; throws the 400 or 422 that explains what is wrong.
    func apply(to current: Model?, id: UUID, now: Date) throws -> Model
}
