import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import Catalog

@Suite("Campaigns and their stages")
struct CampaignStageTests {
    @Test func aCampaignNeedsAJobOfTheOrganizationAndAnOrderedDateRange() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let missingJob = try await client.call(.post, "/api/v1/campaigns", key: key, body: ["name": "C", "jobId": UUID().uuidString])
            #expect(missingJob.status == .unprocessableContent && apiError(missingJob)?.code == "JOB_NOT_FOUND")
            #expect(try await client.call(.post, "/api/v1/campaigns", key: key, body: ["name": "C"]).status == .badRequest)
            #expect(try await client.call(.post, "/api/v1/campaigns", key: key, body: ["name": "C", "jobId": "nope"]).status == .badRequest)
            let backwards = try await client.call(
                .post, "/api/v1/campaigns", key: key, body: ["name": "C", "jobId": job, "startDate": "2026-05-01", "endDate": "2026-04-01"])
            #expect(backwards.status == .unprocessableContent && apiError(backwards)?.code == "INVALID_DATE_RANGE")
            #expect(
                try await client.call(.post, "/api/v1/campaigns", key: key, body: ["name": "C", "jobId": job, "startDate": "soon"]).status
                    == .badRequest)
            let campaign = try await client.create(
                "/api/v1/campaigns", key: key,
                [
                    "name": "Spring", "jobId": job, "startDate": "2026-04-01", "endDate": "2026-05-01T12:00:00Z", "targetCount": 3,
                ])
            #expect(campaign["status"] as? String == "DRAFT")
            // Days come back as they are sent: a date, whether a date or a date-time was sent.
            #expect(campaign["startDate"] as? String == "2026-04-01" && campaign["endDate"] as? String == "2026-05-01")
            #expect(campaign["agentId"] is NSNull)
            let id = campaign["id"] as! String
            let late = try await client.call(.patch, "/api/v1/campaigns/\(id)", key: key, body: ["startDate": "2026-06-01"])
            #expect(late.status == .unprocessableContent && apiError(late)?.code == "INVALID_DATE_RANGE")
            #expect(
                json(try await client.call(.patch, "/api/v1/campaigns/\(id)", key: key, body: ["status": "ACTIVE"]))["status"] as? String == "ACTIVE")
            #expect(try await client.call(.patch, "/api/v1/campaigns/\(id)", key: key, body: ["status": "DONE"]).status == .badRequest)
        }
    }

    @Test func stagePositionsStayDenseUnderInsertsMovesAndDeletes() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": job])["id"] as! String
            func stage(_ name: String, _ extra: [String: any Sendable] = [:]) async throws -> String {
                try await client.create(
                    "/api/v1/stages", key: key, ["campaignId": campaign, "name": name, "type": "HUMAN_REVIEW"].merging(extra) { $1 })["id"] as! String
            }
            func order() async throws -> [String] {
                items(try await client.call(.get, "/api/v1/stages?campaignId=\(campaign)", key: key)).map { "\($0["position"]!):\($0["name"]!)" }
            }
            _ = try await stage("A")
            _ = try await stage("C")
            let b = try await stage("B", ["position": 1])
            let first = try await stage("Z", ["position": 0])
            #expect(try await order() == ["0:Z", "1:A", "2:B", "3:C"])
            #expect(try await client.call(.patch, "/api/v1/stages/\(first)", key: key, body: ["position": 3]).status == .ok)
            #expect(try await order() == ["0:A", "1:B", "2:C", "3:Z"])
            // A position past the end means last.
            let last = try await stage("X", ["position": 9])
            #expect(try await order() == ["0:A", "1:B", "2:C", "3:Z", "4:X"])
            #expect(try await client.call(.delete, "/api/v1/stages/\(last)", key: key).status == .noContent)
            #expect(try await client.call(.patch, "/api/v1/stages/\(first)", key: key, body: ["position": 1, "name": "Y"]).status == .ok)
            #expect(try await order() == ["0:A", "1:Y", "2:B", "3:C"])
            #expect(try await client.call(.patch, "/api/v1/stages/\(first)", key: key, body: ["position": 40]).status == .ok)
            #expect(try await order() == ["0:A", "1:B", "2:C", "3:Y"])
            #expect(try await client.call(.patch, "/api/v1/stages/\(first)", key: key, body: ["position": 1]).status == .ok)
            #expect(try await client.call(.patch, "/api/v1/stages/\(first)", key: key, body: ["position": 10_001]).status == .badRequest)
            #expect(try await client.call(.delete, "/api/v1/stages/\(b)", key: key).status == .noContent)
            #expect(try await order() == ["0:A", "1:Y", "2:C"])
            let detail = json(try await client.call(.get, "/api/v1/campaigns/\(campaign)", key: key))
            #expect((detail["stages"] as? [[String: Any]])?.map { $0["name"] as? String } == ["A", "Y", "C"])
        }
    }

    @Test func concurrentInsertsKeepPositionsDistinct() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": job])["id"] as! String
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        let response = try await client.call(
                            .post, "/api/v1/stages", key: key, body: ["campaignId": campaign, "name": "S\(index)", "type": "TEST"])
                        #expect(response.status == .created)
                    }
                }
                try await group.waitForAll()
            }
            let positions = items(try await client.call(.get, "/api/v1/stages?campaignId=\(campaign)", key: key)).compactMap {
                $0["position"] as? Int
            }
            #expect(positions == Array(0..<8))
        }
    }

    @Test func stageInputIsChecked() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": job])["id"] as! String
            for (body, field) in [
                (["name": "S", "type": "TEST"] as [String: any Sendable], "campaignId"), (["campaignId": campaign, "type": "TEST"], "name"),
                (["campaignId": campaign, "name": "S"], "type"), (["campaignId": campaign, "name": "S", "type": "QUIZ"], "type"),
                (["campaignId": campaign, "name": "S", "type": "TEST", "passThreshold": 101], "passThreshold"),
                (["campaignId": campaign, "name": "S", "type": "TEST", "position": -1], "position"),
            ] {
                let response = try await client.call(.post, "/api/v1/stages", key: key, body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(apiError(response)?.details?.contains { $0.field == field } == true, "\(String(buffer: response.body))")
            }
            #expect(try await client.call(.get, "/api/v1/stages", key: key).status == .badRequest)
            let stage = try await client.create("/api/v1/stages", key: key, ["campaignId": campaign, "name": "S", "type": "TEST"])["id"] as! String
            let other = try await client.create("/api/v1/campaigns", key: key, ["name": "D", "jobId": job])["id"] as! String
            let move = try await client.call(.patch, "/api/v1/stages/\(stage)", key: key, body: ["campaignId": other])
            #expect(move.status == .unprocessableContent && apiError(move)?.code == "STAGE_CAMPAIGN_IMMUTABLE")
        }
    }

    @Test func deletingACampaignRemovesItsStagesAndMembers() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": job])["id"] as! String
            let stage = try await client.create("/api/v1/stages", key: key, ["campaignId": campaign, "name": "S", "type": "TEST"])["id"] as! String
            let candidate = try await client.create("/api/v1/candidates", key: key, ["email": "c@example.com"])["id"] as! String
            _ = try await client.create("/api/v1/campaigns/\(campaign)/candidates", key: key, ["candidateId": candidate])
            #expect(try await client.call(.delete, "/api/v1/campaigns/\(campaign)", key: key).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/stages/\(stage)", key: key).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/candidates/\(candidate)", key: key).status == .ok)
            #expect(try await client.call(.delete, "/api/v1/jobs/\(job)", key: key).status == .noContent)
        }
    }
}

@Suite("Campaign membership and the pipeline")
struct MembershipTests {
    @Test func candidatesJoinAtTheFirstStageMoveAndLeave() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": job])["id"] as! String
            let screen =
                try await client.create("/api/v1/stages", key: key, ["campaignId": campaign, "name": "Screen", "type": "AI_PREQUALIFICATION"])["id"]
                as! String
            let review =
                try await client.create("/api/v1/stages", key: key, ["campaignId": campaign, "name": "Review", "type": "HUMAN_REVIEW"])["id"]
                as! String
            let ada = try await client.create("/api/v1/candidates", key: key, ["email": "ada@example.com", "firstName": "Ada"])["id"] as! String
            let bob = try await client.create("/api/v1/candidates", key: key, ["email": "bob@example.com"])["id"] as! String

            let added = try await client.call(.post, "/api/v1/campaigns/\(campaign)/candidates", key: key, body: ["candidateId": ada])
            #expect(added.status == .created)
            #expect(json(added)["stageId"] as? String == screen && json(added)["status"] as? String == "ACTIVE")
            let twice = try await client.call(.post, "/api/v1/campaigns/\(campaign)/candidates", key: key, body: ["candidateId": ada])
            #expect(twice.status == .conflict && apiError(twice)?.code == "CANDIDATE_ALREADY_IN_CAMPAIGN")
            _ = try await client.create("/api/v1/campaigns/\(campaign)/candidates", key: key, ["candidateId": bob, "stageId": review])

            let unknown = try await client.call(.post, "/api/v1/campaigns/\(campaign)/candidates", key: key, body: ["candidateId": UUID().uuidString])
            #expect(unknown.status == .unprocessableContent && apiError(unknown)?.code == "CANDIDATE_NOT_FOUND")
            let carol = try await client.create("/api/v1/candidates", key: key, ["email": "carol@example.com"])["id"] as! String
            let otherCampaign = try await client.create("/api/v1/campaigns", key: key, ["name": "D", "jobId": job])["id"] as! String
            let foreignStage =
                try await client.create("/api/v1/stages", key: key, ["campaignId": otherCampaign, "name": "X", "type": "TEST"])["id"] as! String
            let wrongStage = try await client.call(
                .post, "/api/v1/campaigns/\(campaign)/candidates", key: key, body: ["candidateId": carol, "stageId": foreignStage])
            #expect(wrongStage.status == .unprocessableContent && apiError(wrongStage)?.code == "STAGE_NOT_FOUND")
            #expect(
                try await client.call(.post, "/api/v1/campaigns/\(UUID())/candidates", key: key, body: ["candidateId": carol]).status == .notFound)

            let moved = try await client.call(
                .patch, "/api/v1/campaigns/\(campaign)/candidates/\(ada)", key: key, body: ["stageId": review, "status": "HIRED"])
            #expect(moved.status == .ok && json(moved)["stageId"] as? String == review && json(moved)["status"] as? String == "HIRED")
            #expect(
                try await client.call(.patch, "/api/v1/campaigns/\(campaign)/candidates/\(ada)", key: key, body: ["status": "PROMOTED"]).status
                    == .badRequest)
            #expect(try await client.call(.patch, "/api/v1/campaigns/\(campaign)/candidates/\(ada)", key: key, body: [:]).status == .badRequest)
            let badMove = try await client.call(.patch, "/api/v1/campaigns/\(campaign)/candidates/\(ada)", key: key, body: ["stageId": foreignStage])
            #expect(badMove.status == .unprocessableContent)
            #expect(
                try await client.call(.patch, "/api/v1/campaigns/\(campaign)/candidates/\(carol)", key: key, body: ["status": "HIRED"]).status
                    == .notFound)

            let pipeline = json(try await client.call(.get, "/api/v1/campaigns/\(campaign)/pipeline", key: key))
            let columns = try #require(pipeline["stages"] as? [[String: Any]])
            #expect(columns.map { ($0["stage"] as? [String: Any])?["name"] as? String } == ["Screen", "Review"])
            #expect((columns[0]["candidates"] as? [Any])?.isEmpty == true)
            #expect((columns[1]["candidates"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["ada@example.com", "bob@example.com"])

            let busy = try await client.call(.delete, "/api/v1/stages/\(review)", key: key)
            #expect(busy.status == .conflict && apiError(busy)?.code == "STAGE_NOT_EMPTY")
            #expect(try await client.call(.delete, "/api/v1/campaigns/\(campaign)/candidates/\(ada)", key: key).status == .noContent)
            #expect(try await client.call(.delete, "/api/v1/campaigns/\(campaign)/candidates/\(ada)", key: key).status == .notFound)
        }
    }

    /// `campaigns:read` shows where each candidate stands; who they are needs `candidates:read`.
    @Test func thePipelineNamesCandidatesOnlyToAKeyThatMayReadThem() async throws {
        try await CatalogHarness().run { client in
            let (organization, key) = try await client.organization()
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": job])["id"] as! String
            _ = try await client.create("/api/v1/stages", key: key, ["campaignId": campaign, "name": "Screen", "type": "HUMAN_REVIEW"])
            let ada =
                try await client.create(
                    "/api/v1/candidates", key: key, ["email": "ada@example.com", "firstName": "Ada", "phone": "+33 6 00 00 00 00"])["id"] as! String
            _ = try await client.create("/api/v1/campaigns/\(campaign)/candidates", key: key, ["candidateId": ada])
            func member(_ scopes: [String]) async throws -> [String: Any] {
                let scoped = try await organization.key(scopes).key
                let answer = try await client.call(.get, "/api/v1/campaigns/\(campaign)/pipeline", key: scoped)
                #expect(answer.status == .ok)
                let columns = try #require(json(answer)["stages"] as? [[String: Any]])
                return try #require((columns.first?["candidates"] as? [[String: Any]])?.first)
            }
            let anonymous = try await member(["campaigns:read"])
            #expect(anonymous["candidateId"] as? String == ada && anonymous["status"] as? String == "ACTIVE")
            #expect(Set(anonymous.keys) == ["candidateId", "status", "addedAt", "updatedAt"])
            let named = try await member(["campaigns:read", "candidates:read"])
            #expect(named["email"] as? String == "ada@example.com" && named["firstName"] as? String == "Ada")
            #expect(named["lastName"] is NSNull && named["phone"] == nil)
        }
    }

    @Test func concurrentAddsOfOneCandidateMakeOneMembership() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": job])["id"] as! String
            let candidate = try await client.create("/api/v1/candidates", key: key, ["email": "c@example.com"])["id"] as! String
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await client.call(.post, "/api/v1/campaigns/\(campaign)/candidates", key: key, body: ["candidateId": candidate]).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 5)
            let pipeline = json(try await client.call(.get, "/api/v1/campaigns/\(campaign)/pipeline", key: key))
            #expect((pipeline["unassigned"] as? [Any])?.count == 1)
        }
    }
}
