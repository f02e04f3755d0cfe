import Foundation

/// A person signed in to the console, and the organization they act for.
struct ConsoleUser: Sendable, Equatable {
    let id: UUID
    let email: String
    let organizationId: UUID
    let organizationName: String
}
