import Foundation
import Hummingbird
import Logging
import Shared

/// `/console/api/me/two-factor`: a member's own two-factor sign-in: enrol (a secret shown as a
/// QR code and as text), confirm with a first code (ten recovery codes, shown once), turn off.
struct TwoFactorController: Sendable {
    let accounts: ConsoleAccountRepository
    let codes: TwoFactorCodes

    /// Every member manages their own; enrolling is open to a member their organization is
    /// waiting on (its `requireTwoFactor`).
    func addRoutes(to routes: ConsoleRoutes) {
        routes.on(.post, "me/two-factor", .VIEWER, beforeTwoFactor: true, use: enrol)
        routes.on(.post, "me/two-factor/confirm", .VIEWER, beforeTwoFactor: true, use: confirm)
        routes.delete("me/two-factor", .VIEWER, use: disable)
    }

    struct Enrolment: ResponseEncodable {
        let secret: String
        let otpauthUrl: String
        /// The URL as a QR code, an SVG image (`QRCode`), for the page to show.
        let qrCodeSvg: String
    }

    /// A new secret, kept sealed until confirmed: nothing changes for sign-in yet.
    @Sendable func enrol(_ request: Request, context: ConsoleContext) async throws -> EditedResponse<Enrolment> {
        let member = context.member
        if member.twoFactorEnabled { throw Self.alreadyOn }
        let secret = TOTP.newSecret()
        guard try await accounts.startEnrolment(of: member, sealedSecret: try codes.box.seal(secret, for: member.id)) else { throw Self.alreadyOn }
        let url = TOTP(secret: secret).otpauthURL(issuer: TwoFactorCodes.issuer, account: member.email)
        return EditedResponse(
            headers: [.cacheControl: "no-store"],
            response: Enrolment(secret: Base32.encode(secret), otpauthUrl: url, qrCodeSvg: try QRCode(text: url).svg()))
    }

    struct Code: Decodable {
        let code: String
    }

    struct RecoveryCodes: ResponseEncodable {
        let recoveryCodes: [String]
    }

    /// Turns two-factor on with a first code from the app: the ten recovery codes, this once.
    @Sendable func confirm(_ request: Request, context: ConsoleContext) async throws -> EditedResponse<RecoveryCodes> {
        let member = context.member
        let code = try await request.decodeJSON(as: Code.self, context: context).code.filter { !$0.isWhitespace }
        if member.twoFactorEnabled { throw Self.alreadyOn }
        guard let sealed = try await accounts.totpSecrets(userId: member.id)?.pending else {
            throw APIError.unprocessable("NO_ENROLMENT", "Start with POST /console/api/me/two-factor: there is no secret to confirm")
        }
        guard let step = TOTP(secret: try codes.box.open(sealed, for: member.id)).matchingStep(code, at: Date()) else { throw Self.wrongCode }
        let (recovery, digests) = TwoFactorCodes.newRecoveryCodes()
        guard try await accounts.confirmEnrolment(of: member, sealedSecret: sealed, step: step, recoveryDigests: digests) else {
            throw APIError.conflict("ENROLMENT_CHANGED", "Another enrolment started meanwhile: scan its code and confirm that one")
        }
        context.logger.notice("two-factor sign-in turned on")
        return EditedResponse(headers: [.cacheControl: "no-store"], response: RecoveryCodes(recoveryCodes: recovery))
    }

    /// Turns two-factor off with a current code (or a recovery code), unless the organization requires it.
    @Sendable func disable(_ request: Request, context: ConsoleContext) async throws -> Response {
        let member = context.member
        let code = try await request.decodeJSON(as: Code.self, context: context).code
        if member.organizationRequiresTwoFactor {
            throw APIError(.forbidden, code: "TWO_FACTOR_REQUIRED", message: "Your organization requires two-factor sign-in: it cannot be turned off")
        }
        guard member.twoFactorEnabled else { return Response(status: .noContent) }
        guard code.utf8.count <= 64, try await codes.verify(code, userId: member.id) else { throw Self.wrongCode }
        try await accounts.disableTwoFactor(of: member)
        context.logger.notice("two-factor sign-in turned off")
        return Response(status: .noContent)
    }

    static let alreadyOn = APIError.conflict("TWO_FACTOR_ENABLED", "Two-factor sign-in is on already; turn it off first to enrol another app")
    static let wrongCode = APIError.unprocessable("INVALID_CODE", "The code is incorrect or was used already")
}
