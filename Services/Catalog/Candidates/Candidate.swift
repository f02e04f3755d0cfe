import Foundation
import Hummingbird
import Shared

/// A person in the organization's talent pool (docs/api-guide.md, Catalog).
struct Candidate: Sendable, Equatable {
    var id: UUID
    var email: String
    var firstName: String?
    var lastName: String?
    var phone: String?
    var locale: String
    var cvUrl: String?
    var tags: [String]
    var source: String?
    var createdAt: Date
    var updatedAt: Date
}

/// The fields of a candidate as a client sends them, for POST (all) and PATCH (those present).
struct CandidateInput: ResourceInput {
    var email: PatchField<String>
    var firstName: PatchField<String>
    var lastName: PatchField<String>
    var phone: PatchField<String>
    var locale: PatchField<String>
    var cvUrl: PatchField<String>
    var tags: PatchField<[String]>
    var source: PatchField<String>

    /// The candidate after applying these fields to `current` (a new one when nil), validated whole.
    func apply(to current: Candidate?, id: UUID, now: Date) throws -> Candidate {
        var v = FieldValidator()
        let rawEmail = self.email.applied(to: current?.email)
        var email = v.required(rawEmail, "email", max: 320)
        if let rawEmail, email?.isEmpty == false {
            email = EmailAddress.parse(rawEmail)
            if email == nil { v.fail("email", "must be an email address") }
        }
        let locale = v.optional(self.locale.applied(to: current?.locale), "locale", max: 10) ?? "fr"
        if !LanguageCode.isValid(locale) { v.fail("locale", "must be a language code such as fr or en-GB") }
        let candidate = Candidate(
            id: current?.id ?? id,
            email: email ?? "",
            firstName: v.optional(firstName.applied(to: current?.firstName), "firstName"),
            lastName: v.optional(lastName.applied(to: current?.lastName), "lastName"),
            phone: v.optional(phone.applied(to: current?.phone), "phone", max: 50),
            locale: locale,
            cvUrl: v.url(cvUrl.applied(to: current?.cvUrl), "cvUrl"),
            tags: v.strings(tags.applied(to: current?.tags), "tags", maxCount: 50, maxLength: 50),
            source: v.optional(source.applied(to: current?.source), "source", max: 100),
            createdAt: current?.createdAt ?? now,
            updatedAt: now
        )
        try v.check()
        return candidate
    }
}

/// A candidate as the API shows it.
struct CandidateView: ResponseEncodable, Sendable {
    let id: String
    let email: String
    @Nullable var firstName: String?
    @Nullable var lastName: String?
    @Nullable var phone: String?
    let locale: String
    @Nullable var cvUrl: String?
    let tags: [String]
    @Nullable var source: String?
    let createdAt: Date
    let updatedAt: Date

    init(_ candidate: Candidate) {
        id = candidate.id.apiString
        email = candidate.email
        firstName = candidate.firstName
        lastName = candidate.lastName
        phone = candidate.phone
        locale = candidate.locale
        cvUrl = candidate.cvUrl
        tags = candidate.tags
        source = candidate.source
        createdAt = candidate.createdAt
        updatedAt = candidate.updatedAt
    }
}
