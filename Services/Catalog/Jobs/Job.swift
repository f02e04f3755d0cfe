import Foundation
import Hummingbird
import Shared

/// A job opening (docs/api-guide.md, Catalog).
struct Job: Sendable, Equatable {
    enum WorkMode: String, CaseIterable, Sendable { case ONSITE, REMOTE, HYBRID }
    enum Seniority: String, CaseIterable, Sendable { case INTERN, JUNIOR, MID, SENIOR, LEAD, MANAGER, DIRECTOR }
    enum ContractType: String, CaseIterable, Sendable { case CDI, CDD, FREELANCE, INTERNSHIP, APPRENTICESHIP }
    enum Status: String, CaseIterable, Sendable { case DRAFT, ACTIVE, PAUSED, CLOSED }

    var id: UUID
    var title: String
    var description: String?
    var department: String?
    var location: String?
    var workMode: WorkMode?
    var seniority: Seniority?
    var contractType: ContractType?
    var salaryMin: Int?
    var salaryMax: Int?
    var dailyRate: Int?
    var skills: [String]
    var status: Status
    var createdAt: Date
    var updatedAt: Date
}

/// The fields of a job as a client sends them, for POST (all) and PATCH (those present).
struct JobInput: ResourceInput {
    var title: PatchField<String>
    var description: PatchField<String>
    var department: PatchField<String>
    var location: PatchField<String>
    var workMode: PatchField<String>
    var seniority: PatchField<String>
    var contractType: PatchField<String>
    var salaryMin: PatchField<Int>
    var salaryMax: PatchField<Int>
    var dailyRate: PatchField<Int>
    var skills: PatchField<[String]>
    var status: PatchField<String>

    /// The job after applying these fields to `current` (a new job when nil), validated whole.
    func apply(to current: Job?, id: UUID, now: Date) throws -> Job {
        var v = FieldValidator()
        let title = v.required(self.title.applied(to: current?.title), "title")
        var job = Job(
            id: current?.id ?? id,
            title: title ?? "",
            description: v.optional(description.applied(to: current?.description), "description", max: 20_000),
            department: v.optional(department.applied(to: current?.department), "department"),
            location: v.optional(location.applied(to: current?.location), "location"),
            workMode: v.oneOf(workMode.applied(to: current?.workMode?.rawValue), "workMode", as: Job.WorkMode.self),
            seniority: v.oneOf(seniority.applied(to: current?.seniority?.rawValue), "seniority", as: Job.Seniority.self),
            contractType: v.oneOf(contractType.applied(to: current?.contractType?.rawValue), "contractType", as: Job.ContractType.self),
            salaryMin: salaryMin.applied(to: current?.salaryMin),
            salaryMax: salaryMax.applied(to: current?.salaryMax),
            dailyRate: dailyRate.applied(to: current?.dailyRate),
            skills: v.strings(skills.applied(to: current?.skills), "skills"),
            status: .DRAFT,
            createdAt: current?.createdAt ?? now,
            updatedAt: now
        )
        if case .null = status { v.fail("status", "must not be null") }
        job.status = v.oneOf(status.applied(to: current?.status.rawValue), "status", as: Job.Status.self) ?? current?.status ?? .DRAFT
        v.range(job.salaryMin, "salaryMin", 0...100_000)
        v.range(job.salaryMax, "salaryMax", 0...100_000)
        v.range(job.dailyRate, "dailyRate", 0...1_000_000)
        try v.check()
        if let min = job.salaryMin, let max = job.salaryMax, min > max {
            throw APIError.unprocessable("INVALID_SALARY_RANGE", "salaryMin must not be greater than salaryMax")
        }
        return job
    }
}

/// A job as the API shows it.
struct JobView: ResponseEncodable, Sendable {
    let id: String
    let title: String
    @Nullable var description: String?
    @Nullable var department: String?
    @Nullable var location: String?
    @Nullable var workMode: String?
    @Nullable var seniority: String?
    @Nullable var contractType: String?
    @Nullable var salaryMin: Int?
    @Nullable var salaryMax: Int?
    @Nullable var dailyRate: Int?
    let skills: [String]
    let status: String
    let createdAt: Date
    let updatedAt: Date

    init(_ job: Job) {
        id = job.id.apiString
        title = job.title
        description = job.description
        department = job.department
        location = job.location
        workMode = job.workMode?.rawValue
        seniority = job.seniority?.rawValue
        contractType = job.contractType?.rawValue
        salaryMin = job.salaryMin
        salaryMax = job.salaryMax
        dailyRate = job.dailyRate
        skills = job.skills
        status = job.status.rawValue
        createdAt = job.createdAt
        updatedAt = job.updatedAt
    }
}
