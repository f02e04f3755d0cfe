import Foundation
import Logging
import PostgresNIO
import Shared

/// Agents in PostgreSQL; every statement names the organization.
struct AgentRepository: ResourceStore {
    let client: PostgresClient
    let logger: Logger

    static let columns = "id, name, provider, voice, tone, language, instructions, suspicion_level, job_id, created_at, updated_at"

    func create(_ agent: Agent, organizationId: UUID) async throws {
        try await client.run(
            """
            INSERT INTO agents (id, organization_id, name, provider, voice, tone, language, instructions, suspicion_level, job_id, created_at, updated_at)
            VALUES (\(agent.id), \(organizationId), \(agent.name), \(agent.provider.rawValue), \(agent.voice), \(agent.tone.rawValue),
                \(agent.language), \(agent.instructions), \(agent.suspicionLevel), \(agent.jobId), \(agent.createdAt), \(agent.updatedAt))
            """,
            logger: logger
        )
    }

    func find(id: UUID, organizationId: UUID) async throws -> Agent? {
        try await Self.find(client, id: id, organizationId: organizationId, lock: false, logger: logger)
    }

    func list(organizationId: UUID, page: PageRequest) async throws -> ([Agent], Int) {
        try await PageQuery.run(
            page,
            fetch: { limit, offset in
                try await client.run(
                    """
                    SELECT \(unescaped: Self.columns), count(*) OVER () AS total FROM agents WHERE organization_id = \(organizationId)
                    ORDER BY created_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
                    """,
                    logger: logger
                )
            }, item: Self.agent)
    }

    func update(id: UUID, organizationId: UUID, _ change: @Sendable (Agent) throws -> Agent) async throws -> Agent? {
        try await client.updateLocked(
            logger: logger,
            read: { connection in
                try await Self.find(connection, id: id, organizationId: organizationId, lock: true, logger: logger)
            }, change: change,
            write: { connection, agent in
                try await connection.query(
                    """
                    UPDATE agents SET name = \(agent.name), provider = \(agent.provider.rawValue), voice = \(agent.voice), tone = \(agent.tone.rawValue),
                        language = \(agent.language), instructions = \(agent.instructions), suspicion_level = \(agent.suspicionLevel),
                        job_id = \(agent.jobId), updated_at = \(agent.updatedAt)
                    WHERE id = \(id) AND organization_id = \(organizationId)
                    """,
                    logger: logger
                )
            })
    }

    func delete(id: UUID, organizationId: UUID) async throws -> Bool {
        let rows = try await client.run("DELETE FROM agents WHERE id = \(id) AND organization_id = \(organizationId) RETURNING id", logger: logger)
        return try await rows.collect().count == 1
    }

    static func find(_ runner: some PostgresQueryRunner, id: UUID, organizationId: UUID, lock: Bool, logger: Logger) async throws -> Agent? {
        let rows = try await runner.run(
            "SELECT \(unescaped: columns) FROM agents WHERE id = \(id) AND organization_id = \(organizationId) \(unescaped: lock ? "FOR UPDATE" : "")",
            logger: logger
        )
        return try await rows.collect().first.map(agent)
    }

    static func agent(_ row: PostgresRow) throws -> Agent {
        let r = row.makeRandomAccess()
        return Agent(
            id: try r["id"].decode(UUID.self),
            name: try r["name"].decode(String.self),
            provider: try r["provider"].decodeEnum(Agent.Provider.self),
            voice: try r["voice"].decode(String?.self),
            tone: try r["tone"].decodeEnum(Agent.Tone.self),
            language: try r["language"].decode(String.self),
            instructions: try r["instructions"].decode(String?.self),
            suspicionLevel: try r["suspicion_level"].decode(Int.self),
            jobId: try r["job_id"].decode(UUID?.self),
            createdAt: try r["created_at"].decode(Date.self),
            updatedAt: try r["updated_at"].decode(Date.self)
        )
    }
}
