import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import Catalog

@Suite("Candidates")
struct CandidateTests {
    @Test func anEmailIsUniqueWithinTheOrganizationInAnyCase() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let first = try await client.create("/api/v1/candidates", key: key, ["email": "Ada@Example.com", "firstName": "Ada", "tags": ["swift"]])
            #expect(first["locale"] as? String == "fr")
            #expect(first["phone"] is NSNull)
            let again = try await client.call(.post, "/api/v1/candidates", key: key, body: ["email": "ada@example.COM"])
            #expect(again.status == .conflict && apiError(again)?.code == "EMAIL_ALREADY_EXISTS")
            let other = try await client.create("/api/v1/candidates", key: key, ["email": "grace@example.com"])["id"] as! String
            let clash = try await client.call(.patch, "/api/v1/candidates/\(other)", key: key, body: ["email": "ADA@example.com"])
            #expect(clash.status == .conflict && apiError(clash)?.code == "EMAIL_ALREADY_EXISTS")
        }
    }

    static let invalidBodies: [([String: any Sendable], String)] = [
        ([:], "email"), (["email": "not-an-email"], "email"), (["email": "a@b.c", "locale": "french!"], "locale"),
        (["email": "a@b.c", "cvUrl": "ftp://x/cv.pdf"], "cvUrl"),
        (["email": "a@b.c", "cvUrl": "http://cv.example.com/Uv \u{0B}\t*"], "cvUrl"),
        (["email": "a@b.c", "tags": Array(repeating: "t", count: 51)], "tags"),
        (["email": "a@b.c", "phone": String(repeating: "1", count: 51)], "phone"), (["email": ["a@b.c"]], "email"),
    ]

    @Test(arguments: 0..<CandidateTests.invalidBodies.count)
    func badInputIs400NamingTheField(index: Int) async throws {
        let (body, field) = Self.invalidBodies[index]
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let response = try await client.call(.post, "/api/v1/candidates", key: key, body: body)
            #expect(response.status == .badRequest)
            #expect(apiError(response)?.details?.contains { $0.field == field } == true, "\(String(buffer: response.body))")
        }
    }

    @Test func searchTagsAndCampaignFiltersCombine() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let ada =
                try await client.create(
                    "/api/v1/candidates", key: key,
                    ["email": "ada@lovelace.org", "firstName": "Ada", "lastName": "Lovelace", "tags": ["math", "swift"]])["id"] as! String
            _ = try await client.create(
                "/api/v1/candidates", key: key, ["email": "grace@navy.mil", "firstName": "Grace", "lastName": "Hopper", "tags": ["cobol", "math"]])
            _ = try await client.create("/api/v1/candidates", key: key, ["email": "alan@100%.org", "firstName": "Alan", "tags": ["swift"]])
            func names(_ query: String) async throws -> [String] {
                items(try await client.call(.get, "/api/v1/candidates?\(query)", key: key)).compactMap { $0["firstName"] as? String }.sorted()
            }
            #expect(try await names("search=LOVE") == ["Ada"])
            #expect(try await names("search=ada%20love") == ["Ada"])
            #expect(try await names("search=navy.mil") == ["Grace"])
            #expect(try await names("search=%25") == ["Alan"])
            #expect(try await names("tags=math") == ["Ada", "Grace"])
            #expect(try await names("tags=math,swift") == ["Ada"])
            #expect(try await names("tags=swift&search=al") == ["Alan"])
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": job])["id"] as! String
            _ = try await client.create("/api/v1/campaigns/\(campaign)/candidates", key: key, ["candidateId": ada])
            #expect(try await names("campaignId=\(campaign)") == ["Ada"])
            #expect(try await client.call(.get, "/api/v1/candidates?campaignId=nope", key: key).status == .badRequest)
        }
    }

    @Test func deletingACandidateRemovesThemFromCampaigns() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let candidate = try await client.create("/api/v1/candidates", key: key, ["email": "x@example.com"])["id"] as! String
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": job])["id"] as! String
            _ = try await client.create("/api/v1/campaigns/\(campaign)/candidates", key: key, ["candidateId": candidate])
            #expect(try await client.call(.delete, "/api/v1/candidates/\(candidate)", key: key).status == .noContent)
            let pipeline = json(try await client.call(.get, "/api/v1/campaigns/\(campaign)/pipeline", key: key))
            #expect((pipeline["unassigned"] as? [Any])?.isEmpty == true)
        }
    }
}
