import Foundation

/// A member of an organization signed in to the console: who they are, their role, and what
/// their organization asks of them.
struct ConsoleUser: Sendable, Equatable {
    let id: UUID
    let email: String
    let organizationId: UUID
    let organizationName: String
    let role: ConsoleRole
    /// Whether the member signs in with a second factor.
    let twoFactorEnabled: Bool
    /// The organization's `requireTwoFactor`.
    let organizationRequiresTwoFactor: Bool
    /// The session the request came with (nil outside a request: a sign-in in progress).
    var sessionId: UUID? = nil

    /// Whether the organization requires two-factor and this member has not enrolled yet.
    var mustEnrolInTwoFactor: Bool { organizationRequiresTwoFactor && !twoFactorEnabled }
}
