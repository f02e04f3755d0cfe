import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import Catalog

@Suite("Jobs")
struct JobTests {
    @Test func creatingAJobReturnsEveryFieldWithDefaults() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let response = try await client.call(
                .post, "/api/v1/jobs", key: key,
                body: [
                    "title": " Backend engineer ", "department": "Engineering", "workMode": "HYBRID", "seniority": "SENIOR",
                    "contractType": "CDI", "salaryMin": 55, "salaryMax": 70, "skills": ["Swift", "PostgreSQL", "Swift"], "unknownField": true,
                ])
            #expect(response.status == .created)
            let job = json(response)
            let id = try #require(job["id"] as? String)
            #expect(response.headers[.location] == "/api/v1/jobs/\(id)")
            #expect(id == id.lowercased())
            #expect(job["title"] as? String == "Backend engineer")
            #expect(job["status"] as? String == "DRAFT")
            #expect(job["skills"] as? [String] == ["Swift", "PostgreSQL"])
            #expect(job["dailyRate"] is NSNull && job["description"] is NSNull)
            #expect((job["createdAt"] as? String)?.hasSuffix("Z") == true)
            let fetched = json(try await client.call(.get, "/api/v1/jobs/\(id)", key: key))
            #expect(fetched["salaryMax"] as? Int == 70)
            #expect(fetched["workMode"] as? String == "HYBRID")
        }
    }

    static let invalidBodies: [([String: any Sendable], String)] = [
        ([:], "title"), (["title": ""], "title"), (["title": 12], "title"), (["title": String(repeating: "t", count: 201)], "title"),
        (["title": "x", "workMode": "MOON"], "workMode"), (["title": "x", "seniority": "senior"], "seniority"),
        (["title": "x", "contractType": "GIG"], "contractType"), (["title": "x", "status": "OPEN"], "status"),
        (["title": "x", "salaryMin": -1], "salaryMin"),
        (["title": "x", "salaryMax": "lots"], "salaryMax"), (["title": "x", "dailyRate": 1.5], "dailyRate"),
        (["title": "x", "skills": "Swift"], "skills"), (["title": "x", "skills": [""]], "skills[0]"),
    ]

    @Test(arguments: 0..<JobTests.invalidBodies.count)
    func badInputIs400NamingTheField(index: Int) async throws {
        let (body, field) = Self.invalidBodies[index]
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let response = try await client.call(.post, "/api/v1/jobs", key: key, body: body)
            #expect(response.status == .badRequest)
            #expect(apiError(response)?.code == "VALIDATION_ERROR")
            #expect(apiError(response)?.details?.contains { $0.field == field } == true, "\(String(buffer: response.body))")
            #expect(items(try await client.call(.get, "/api/v1/jobs", key: key)).isEmpty)
        }
    }

    @Test func aSalaryMinimumAboveTheMaximumIs422() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let response = try await client.call(.post, "/api/v1/jobs", key: key, body: ["title": "x", "salaryMin": 80, "salaryMax": 50])
            #expect(response.status == .unprocessableContent && apiError(response)?.code == "INVALID_SALARY_RANGE")
        }
    }

    @Test func patchChangesOnlyTheFieldsSentAndNullClears() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let id =
                try await client.create("/api/v1/jobs", key: key, ["title": "Designer", "location": "Paris", "salaryMin": 40, "salaryMax": 50])["id"]
                as! String
            let patched = try await client.call(.patch, "/api/v1/jobs/\(id)", key: key, body: ["status": "ACTIVE", "location": NSNull()])
            #expect(patched.status == .ok)
            let job = json(patched)
            #expect(job["status"] as? String == "ACTIVE" && job["title"] as? String == "Designer")
            #expect(job["location"] is NSNull && job["salaryMin"] as? Int == 40)
            // The merged job is checked as a whole: min may not pass the stored max.
            let crossing = try await client.call(.patch, "/api/v1/jobs/\(id)", key: key, body: ["salaryMin": 60])
            #expect(crossing.status == .unprocessableContent && apiError(crossing)?.code == "INVALID_SALARY_RANGE")
            #expect(try await client.call(.patch, "/api/v1/jobs/\(id)", key: key, body: ["title": NSNull()]).status == .badRequest)
            #expect(json(try await client.call(.get, "/api/v1/jobs/\(id)", key: key))["salaryMin"] as? Int == 40)
        }
    }

    @Test func listsAreNewestFirstFilteredAndPaginated() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            for index in 0..<5 {
                _ = try await client.create(
                    "/api/v1/jobs", key: key,
                    [
                        "title": "Job \(index)", "status": index.isMultiple(of: 2) ? "ACTIVE" : "DRAFT",
                        "department": index < 2 ? "Sales" : "Engineering", "workMode": index == 4 ? "REMOTE" : "ONSITE",
                    ])
            }
            let page = json(try await client.call(.get, "/api/v1/jobs?page=1&pageSize=2", key: key))
            #expect((page["data"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Job 4", "Job 3"])
            let pagination = page["pagination"] as? [String: Int]
            #expect(pagination == ["page": 1, "pageSize": 2, "total": 5, "totalPages": 3])
            let beyond = json(try await client.call(.get, "/api/v1/jobs?page=9&pageSize=2", key: key))
            #expect((beyond["data"] as? [Any])?.isEmpty == true && (beyond["pagination"] as? [String: Int])?["total"] == 5)
            #expect(items(try await client.call(.get, "/api/v1/jobs?status=ACTIVE", key: key)).count == 3)
            #expect(items(try await client.call(.get, "/api/v1/jobs?department=Sales", key: key)).count == 2)
            #expect(
                items(try await client.call(.get, "/api/v1/jobs?workMode=REMOTE&status=ACTIVE", key: key)).map { $0["title"] as? String } == ["Job 4"]
            )
            for query in ["status=OPEN", "workMode=x", "pageSize=0", "pageSize=101", "page=-1"] {
                #expect(try await client.call(.get, "/api/v1/jobs?\(query)", key: key).status == .badRequest, "\(query)")
            }
        }
    }

    @Test func deletingAJobTwiceAnswers404AndAJobWithCampaignsIsKept() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let lone = try await client.create("/api/v1/jobs", key: key, ["title": "Lone"])["id"] as! String
            #expect(try await client.call(.delete, "/api/v1/jobs/\(lone)", key: key).status == .noContent)
            #expect(try await client.call(.delete, "/api/v1/jobs/\(lone)", key: key).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/jobs/\(lone)", key: key).status == .notFound)
            let used = try await client.create("/api/v1/jobs", key: key, ["title": "Used"])["id"] as! String
            _ = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": used])
            let refused = try await client.call(.delete, "/api/v1/jobs/\(used)", key: key)
            #expect(refused.status == .conflict && apiError(refused)?.code == "JOB_HAS_CAMPAIGNS")
            #expect(try await client.call(.get, "/api/v1/jobs/\(used)", key: key).status == .ok)
        }
    }
}
