import Foundation
import Hummingbird
import Shared

/// An AI interviewer: its voice, tone and instructions (docs/api-guide.md, Interviews).
struct Agent: Sendable, Equatable {
    enum Provider: String, CaseIterable, Sendable {
        case openai, elevenlabs

        /// The voices each provider offers; a voice of the other provider is refused.
        var voices: [String] {
            switch self {
            case .openai: ["marin", "cedar", "nova", "shimmer", "coral", "sage", "ballad", "echo", "onyx", "ash", "verse", "alloy", "fable"]
            case .elevenlabs: ["kev", "souni", "nova_el", "peter", "jeremy", "camille"]
            }
        }
    }

    enum Tone: String, CaseIterable, Sendable { case professional, friendly, formal, casual, empathetic }

    var id: UUID
    var name: String
    var provider: Provider
    var voice: String?
    var tone: Tone
    var language: String
    var instructions: String?
    var suspicionLevel: Int
    /// Null: usable for every job of the organization.
    var jobId: UUID?
    var createdAt: Date
    var updatedAt: Date
}

/// The fields of an agent as a client sends them, for POST (all) and PATCH (those present).
struct AgentInput: ResourceInput {
    var name: PatchField<String>
    var provider: PatchField<String>
    var voice: PatchField<String>
    var tone: PatchField<String>
    var language: PatchField<String>
    var instructions: PatchField<String>
    var suspicionLevel: PatchField<Int>
    var jobId: PatchField<UUID>

    func apply(to current: Agent?, id: UUID, now: Date) throws -> Agent {
        var v = FieldValidator()
        let name = v.required(self.name.applied(to: current?.name), "name")
        for (field, value) in [("provider", provider), ("tone", tone), ("language", language)] where value.isNull {
            v.fail(field, "must not be null")
        }
        let provider =
            v.oneOf(self.provider.applied(to: current?.provider.rawValue), "provider", as: Agent.Provider.self) ?? current?.provider ?? .openai
        let voice = v.optional(self.voice.applied(to: current?.voice), "voice", max: 50)
        if let voice, !provider.voices.contains(voice) {
            v.fail("voice", "must be a voice of \(provider.rawValue): \(provider.voices.joined(separator: ", "))")
        }
        let tone = v.oneOf(self.tone.applied(to: current?.tone.rawValue), "tone", as: Agent.Tone.self) ?? current?.tone ?? .professional
        let language = v.optional(self.language.applied(to: current?.language), "language", max: 10) ?? "fr"
        if !LanguageCode.isValid(language) { v.fail("language", "must be a language code such as fr or en-GB") }
        let suspicionLevel = suspicionLevel.applied(to: current?.suspicionLevel) ?? 1
        v.range(suspicionLevel, "suspicionLevel", 0...3)
        let agent = Agent(
            id: current?.id ?? id, name: name ?? "", provider: provider, voice: voice, tone: tone, language: language,
            instructions: v.optional(instructions.applied(to: current?.instructions), "instructions", max: 20_000),
            suspicionLevel: suspicionLevel, jobId: jobId.applied(to: current?.jobId),
            createdAt: current?.createdAt ?? now, updatedAt: now
        )
        try v.check()
        return agent
    }
}

/// An agent as the API shows it.
struct AgentView: ResponseEncodable, Sendable {
    let id: String
    let name: String
    let provider: String
    @Nullable var voice: String?
    let tone: String
    let language: String
    @Nullable var instructions: String?
    let suspicionLevel: Int
    @Nullable var jobId: String?
    let createdAt: Date
    let updatedAt: Date

    init(_ agent: Agent) {
        id = agent.id.apiString
        name = agent.name
        provider = agent.provider.rawValue
        voice = agent.voice
        tone = agent.tone.rawValue
        language = agent.language
        instructions = agent.instructions
        suspicionLevel = agent.suspicionLevel
        jobId = agent.jobId?.apiString
        createdAt = agent.createdAt
        updatedAt = agent.updatedAt
    }
}
