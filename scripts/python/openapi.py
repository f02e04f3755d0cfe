"""Writes the OpenAPI 3.1 description of Evalyo's public API (docs/api-guide.md).

usage: python3 scripts/python/openapi.py [OUT]   (default: the key service's bundled copy)

The document is generated so that every operation shares one description of errors, paging,
security and headers; scripts/test regenerates it and fails if the committed copy differs,
and a Swift test compares its operations and scopes with the services' route tables.
"""
import json
import sys

OUT = "Services/KeyService/APIDocs/Docs/openapi.json"

# ---- building blocks --------------------------------------------------------------------------

# White space as Shared/HTTP/WhiteSpace.swift has it: every character that ECMA-262's, Python's
# or Unicode's white space includes, so that every reader of a pattern agrees with the server.
BLANK = r"\t\n\u000b\f\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# Texts are stored in PostgreSQL, which cannot hold the NUL character; the server trims them.
NO_NUL = r"^[^\u0000]*$"
NO_NUL_NOT_BLANK = rf"^[^\u0000]*[^{BLANK}\u0000][^\u0000]*$"

def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def text(max_length=200, nullable=False, description=None):
    """A string the server trims: it must contain something besides white space."""
    schema = {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": NO_NUL_NOT_BLANK}
    if description:
        schema["description"] = description
    return nullable_of(schema) if nullable else schema


def optional_text(max_length=200, description=None):
    """An optional string the server trims; blank or null clears it."""
    schema = {"type": ["string", "null"], "maxLength": max_length, "pattern": NO_NUL}
    if description:
        schema["description"] = description
    return schema


def nullable_of(schema):
    schema = dict(schema)
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    elif "enum" in schema:
        schema = {"oneOf": [schema, {"type": "null"}]}
    return schema


# Every enumeration is one named component, referenced wherever it is used (a nullable one as
# anyOf [$ref, null]): a generated client then has one type per enumeration, not one per use.
ENUMS = {}


def enum(*values, nullable=False):
    name = ENUM_NAMES.get(tuple(values))
    if name is None:
        raise SystemExit(f"openapi.py: name the enumeration {values} in ENUM_NAMES")
    ENUMS[name] = {"type": "string", "enum": list(values)}
    return {"anyOf": [ref(name), {"type": "null"}]} if nullable else ref(name)


def integer(minimum, maximum, nullable=False):
    return {"type": ["integer", "null"] if nullable else "integer", "minimum": minimum, "maximum": maximum}


# Shared/HTTP/EmailAddress.swift's rule: white space (to ECMA-262, Python and Unicode alike)
# around it only, one @, a domain of two or more non-empty labels.
EMAIL_PATTERN = rf"^[{BLANK}]*[^@{BLANK}\u0000]+@[^@.{BLANK}\u0000]+(\.[^@.{BLANK}\u0000]+)+[{BLANK}]*$"
# Shared/HTTP/WebAddress.swift's rule: white space around it only, http:// or https:// in any
# case, dot-separated labels, a port of one to five digits, then a path, query and fragment in
# RFC 3986's characters (pchar: unreserved, sub-delimiters, ":" and "@", or a percent-escape).
PCHAR = r"[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2}"
WEB_ADDRESS_PATTERN = (rf"^[{BLANK}]*([Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{{1,5}})?"
                       rf"(/({PCHAR}|/)*)?(\?({PCHAR}|[/?])*)?(#({PCHAR}|[/?])*)?)?[{BLANK}]*$")
UUID_PATTERN = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
UUID = {"type": "string", "format": "uuid", "pattern": UUID_PATTERN}
UUID_OR_NULL = {"type": ["string", "null"], "format": "uuid", "pattern": UUID_PATTERN}
TIMESTAMP = {"type": "string", "format": "date-time"}
TIMESTAMP_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
DAY_OR_NULL = {"type": ["string", "null"], "format": "date", "description": "YYYY-MM-DD (the day, in UTC)"}
DATE_OR_NULL = {"type": ["string", "null"], "format": "date", "pattern": rf"^([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}|[{BLANK}]*)$",
                "description": "YYYY-MM-DD (a full date-time is accepted too); blank or null clears it"}


def strings(max_items=50, max_length=100):
    return {"type": ["array", "null"], "maxItems": max_items,
            "items": {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": NO_NUL_NOT_BLANK}}


def obj(properties, required=(), description=None):
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


def view(properties, description=None):
    """A resource as the API returns it: every field is present (null when empty)."""
    return obj(properties, required=list(properties), description=description)


# ---- schemas ----------------------------------------------------------------------------------

WORK_MODES = ("ONSITE", "REMOTE", "HYBRID")
SENIORITIES = ("INTERN", "JUNIOR", "MID", "SENIOR", "LEAD", "MANAGER", "DIRECTOR")
CONTRACTS = ("CDI", "CDD", "FREELANCE", "INTERNSHIP", "APPRENTICESHIP")
JOB_STATUSES = ("DRAFT", "ACTIVE", "PAUSED", "CLOSED")
CAMPAIGN_STATUSES = ("DRAFT", "ACTIVE", "PAUSED", "COMPLETED", "ARCHIVED")
STAGE_TYPES = ("AI_INTERVIEW", "TEST", "AI_PREQUALIFICATION", "HUMAN_REVIEW")
MEMBER_STATUSES = ("ACTIVE", "REJECTED", "HIRED", "WITHDRAWN")
PROVIDERS = ("openai", "elevenlabs")
VOICES = ("marin", "cedar", "nova", "shimmer", "coral", "sage", "ballad", "echo", "onyx", "ash", "verse", "alloy", "fable",
          "kev", "souni", "nova_el", "peter", "jeremy", "camille")
TONES = ("professional", "friendly", "formal", "casual", "empathetic")
TEST_TYPES = ("KNOWLEDGE", "TECHNICAL", "PERSONALITY", "LOGIC")
DIFFICULTIES = ("BEGINNER", "INTERMEDIATE", "ADVANCED", "EXPERT")
INTERVIEW_STATUSES = ("DRAFT", "INVITED", "IN_PROGRESS", "COMPLETED", "CANCELLED", "EXPIRED")
EVENT_TYPES = ("interview.started", "interview.completed", "interview.cancelled", "assignment.completed", "report.created",
               "campaign.candidate_moved")
DELIVERY_STATUSES = ("PENDING", "SUCCEEDED", "FAILED")
ENUM_NAMES = {
    WORK_MODES: "WorkMode", SENIORITIES: "Seniority", CONTRACTS: "ContractType", JOB_STATUSES: "JobStatus",
    CAMPAIGN_STATUSES: "CampaignStatus", STAGE_TYPES: "StageType", MEMBER_STATUSES: "MembershipStatus",
    PROVIDERS: "AgentProvider", TONES: "AgentTone", TEST_TYPES: "TestType", DIFFICULTIES: "TestDifficulty",
    INTERVIEW_STATUSES: "InterviewStatus", ("AGENT", "CANDIDATE"): "TurnRole", ("INTERVIEW", "TEST"): "ReportType",
    ("STARTER", "PRO", "BUSINESS", "ENTERPRISE"): "Plan", VOICES: "AgentVoice", EVENT_TYPES: "WebhookEventType",
    DELIVERY_STATUSES: "DeliveryStatus", ("ENABLED", "DISABLED"): "WebhookEndpointStatus", ("MANUAL", "GONE", "FAILING"): "WebhookDisabledReason",
}
LANGUAGE = {"type": "string", "maxLength": 10, "pattern": rf"^[{BLANK}]*([A-Za-z]{{2,3}}(-[A-Za-z]{{2}})?)?[{BLANK}]*$",
            "description": "A language code such as fr or en-GB; fr when blank"}

JOB_FIELDS = {
    "title": text(),
    "description": optional_text(20000),
    "department": optional_text(),
    "location": optional_text(),
    "workMode": enum(*WORK_MODES, nullable=True),
    "seniority": enum(*SENIORITIES, nullable=True),
    "contractType": enum(*CONTRACTS, nullable=True),
    "salaryMin": integer(0, 100000, nullable=True) | {"description": "Thousands of euros; at most salaryMax"},
    "salaryMax": integer(0, 100000, nullable=True) | {"description": "Thousands of euros"},
    "dailyRate": integer(0, 1000000, nullable=True),
    "skills": strings(),
    "status": enum(*JOB_STATUSES),
}
CANDIDATE_FIELDS = {
    "email": {"type": "string", "maxLength": 320, "pattern": EMAIL_PATTERN,
              "description": "An email address, unique within the organization"},
    "firstName": optional_text(),
    "lastName": optional_text(),
    "phone": optional_text(50),
    "locale": LANGUAGE | {"type": ["string", "null"], "description": "Language code, fr by default"},
    "cvUrl": {"type": ["string", "null"], "maxLength": 2000, "description": "An http or https URL",
              "pattern": WEB_ADDRESS_PATTERN},
    "tags": strings(50, 50),
    "source": optional_text(100),
}
CAMPAIGN_FIELDS = {
    "name": text(),
    "jobId": UUID | {"description": "A job of the same organization"},
    "description": optional_text(20000),
    "status": enum(*CAMPAIGN_STATUSES),
    "startDate": DATE_OR_NULL,
    "endDate": DATE_OR_NULL | {"description": "YYYY-MM-DD, not before startDate"},
    "targetCount": integer(0, 1000000, nullable=True),
    "agentId": UUID_OR_NULL | {"description": "An agent of the same organization, else 422 AGENT_NOT_FOUND"},
}
STAGE_FIELDS = {
    "campaignId": UUID,
    "name": text(),
    "type": enum(*STAGE_TYPES),
    "position": integer(0, 10000) | {"description": "0-based; last by default"},
    "agentId": UUID_OR_NULL | {"description": "An agent of the same organization, else 422 AGENT_NOT_FOUND"},
    "testId": UUID_OR_NULL | {"description": "A test of the same organization, else 422 TEST_NOT_FOUND"},
    "passThreshold": integer(0, 100, nullable=True),
}
AGENT_FIELDS = {
    "name": text(),
    "provider": enum(*PROVIDERS),
    "voice": enum(*VOICES, nullable=True) | {"description": "A voice of the agent's provider"},
    "tone": enum(*TONES),
    "language": LANGUAGE,
    "instructions": optional_text(20000),
    "suspicionLevel": integer(0, 3, nullable=True) | {"description": "1 by default (null sets it back)"},
    "jobId": UUID_OR_NULL | {"description": "null: usable for every job"},
}
TEST_FIELDS = {
    "title": text(),
    "description": optional_text(20000),
    "type": enum(*TEST_TYPES, nullable=True),
    "difficulty": enum(*DIFFICULTIES, nullable=True),
    "durationMinutes": integer(1, 600, nullable=True),
    "skills": strings(),
    "passingScore": integer(0, 100, nullable=True),
    "isPublished": {"type": "boolean"},
}

TURN_SCHEMA = view({"sequence": {"type": "integer"}, "role": enum("AGENT", "CANDIDATE"), "content": {"type": "string"}, "createdAt": TIMESTAMP})
CRITERION_SCHEMA = obj({"name": {"type": "string"}, "score": {"type": ["integer", "null"]}, "comment": {"type": ["string", "null"]}}, ["name"])
STAGE_VIEW = view({
    "id": UUID, "campaignId": UUID, "name": {"type": "string"}, "type": enum(*STAGE_TYPES), "position": {"type": "integer"},
    "agentId": UUID_OR_NULL, "testId": UUID_OR_NULL, "passThreshold": {"type": ["integer", "null"]},
    "createdAt": TIMESTAMP, "updatedAt": TIMESTAMP,
})
# A candidate in a campaign's pipeline. Who they are (email and names, all three or none) is there
# only for a key that also holds candidates:read: campaigns:read alone shows where each stands.
PERSONAL = "Only for a key that also holds candidates:read"
MEMBER = obj({
    "candidateId": UUID, "email": {"type": "string", "description": PERSONAL},
    "firstName": {"type": ["string", "null"], "description": PERSONAL}, "lastName": {"type": ["string", "null"], "description": PERSONAL},
    "status": enum(*MEMBER_STATUSES), "addedAt": TIMESTAMP, "updatedAt": TIMESTAMP,
}, required=["candidateId", "status", "addedAt", "updatedAt"])

SCHEMAS = {
    # Every error answer: {"error": {...}}. Named ErrorResponse (not Error) so that a generated
    # client's variable for the answer does not shadow its `error` field.
    "ErrorResponse": obj({"error": ref("ErrorDetail")}, ["error"]),
    "ErrorDetail": obj({
        "code": {"type": "string", "description": "VALIDATION_ERROR, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT-family codes, business-rule codes, RATE_LIMITED, ..."},
        "message": {"type": "string"},
        "details": {"type": "array", "items": ref("FieldError")},
        "requiredScope": {"type": "string", "description": "On 403: the scope the operation needs"},
    }, ["code", "message"]),
    "FieldError": obj({"field": {"type": "string"}, "message": {"type": "string"}}, ["field", "message"]),
    "Pagination": view({"page": {"type": "integer", "minimum": 1}, "pageSize": {"type": "integer", "minimum": 1, "maximum": 100},
                        "total": {"type": "integer", "minimum": 0}, "totalPages": {"type": "integer", "minimum": 0}}),
    "Job": view({"id": UUID, "title": {"type": "string"}, "description": {"type": ["string", "null"]}, "department": {"type": ["string", "null"]},
                 "location": {"type": ["string", "null"]}, "workMode": enum(*WORK_MODES, nullable=True),
                 "seniority": enum(*SENIORITIES, nullable=True), "contractType": enum(*CONTRACTS, nullable=True),
                 "salaryMin": {"type": ["integer", "null"]}, "salaryMax": {"type": ["integer", "null"]}, "dailyRate": {"type": ["integer", "null"]},
                 "skills": {"type": "array", "items": {"type": "string"}}, "status": enum(*JOB_STATUSES),
                 "createdAt": TIMESTAMP, "updatedAt": TIMESTAMP}),
    "JobInput": obj(JOB_FIELDS, ["title"]),
    "JobPatch": obj(JOB_FIELDS),
    "Candidate": view({"id": UUID, "email": {"type": "string"}, "firstName": {"type": ["string", "null"]}, "lastName": {"type": ["string", "null"]},
                       "phone": {"type": ["string", "null"]}, "locale": {"type": "string"}, "cvUrl": {"type": ["string", "null"]},
                       "tags": {"type": "array", "items": {"type": "string"}}, "source": {"type": ["string", "null"]},
                       "createdAt": TIMESTAMP, "updatedAt": TIMESTAMP}),
    "CandidateInput": obj(CANDIDATE_FIELDS, ["email"]),
    "CandidatePatch": obj(CANDIDATE_FIELDS),
    "Stage": STAGE_VIEW,
    "StageInput": obj(STAGE_FIELDS, ["campaignId", "name", "type"]),
    "StagePatch": obj({k: v for k, v in STAGE_FIELDS.items() if k != "campaignId"}),
    "Campaign": view({"id": UUID, "jobId": UUID, "name": {"type": "string"}, "description": {"type": ["string", "null"]},
                      "status": enum(*CAMPAIGN_STATUSES), "startDate": DAY_OR_NULL, "endDate": DAY_OR_NULL,
                      "targetCount": {"type": ["integer", "null"]}, "agentId": UUID_OR_NULL,
                      "createdAt": TIMESTAMP, "updatedAt": TIMESTAMP}),
    "CampaignWithStages": None,  # filled below
    "CampaignInput": obj(CAMPAIGN_FIELDS, ["name", "jobId"]),
    "CampaignPatch": obj(CAMPAIGN_FIELDS),
    "Membership": view({"campaignId": UUID, "candidateId": UUID, "stageId": UUID_OR_NULL, "status": enum(*MEMBER_STATUSES),
                        "addedAt": TIMESTAMP, "updatedAt": TIMESTAMP}),
    "MembershipInput": obj({"candidateId": UUID, "stageId": UUID_OR_NULL | {"description": "First stage by default"}}, ["candidateId"]),
    # A move or a status change: an empty body changes nothing and is refused (400), as stated here.
    "MembershipPatch": obj({"stageId": UUID, "status": enum(*MEMBER_STATUSES)}, description="stageId, status or both") | {"minProperties": 1},
    "Pipeline": view({"campaignId": UUID,
                      "stages": {"type": "array", "items": view({"stage": STAGE_VIEW, "candidates": {"type": "array", "items": MEMBER}})},
                      "unassigned": {"type": "array", "items": MEMBER}}),
    "Agent": view({"id": UUID, "name": {"type": "string"}, "provider": enum(*PROVIDERS), "voice": {"type": ["string", "null"]},
                   "tone": enum(*TONES), "language": {"type": "string"}, "instructions": {"type": ["string", "null"]},
                   "suspicionLevel": {"type": "integer"}, "jobId": UUID_OR_NULL, "createdAt": TIMESTAMP, "updatedAt": TIMESTAMP}),
    "AgentInput": obj(AGENT_FIELDS, ["name"]),
    "AgentPatch": obj(AGENT_FIELDS),
    "Test": view({"id": UUID, "title": {"type": "string"}, "description": {"type": ["string", "null"]}, "type": enum(*TEST_TYPES, nullable=True),
                  "difficulty": enum(*DIFFICULTIES, nullable=True), "durationMinutes": {"type": ["integer", "null"]},
                  "skills": {"type": "array", "items": {"type": "string"}}, "passingScore": {"type": ["integer", "null"]},
                  "isPublished": {"type": "boolean"}, "createdAt": TIMESTAMP, "updatedAt": TIMESTAMP}),
    "TestInput": obj(TEST_FIELDS, ["title"]),
    "TestPatch": obj(TEST_FIELDS),
    "AssignmentInput": obj({"candidateId": UUID, "stageId": UUID_OR_NULL, "sendInvite": {"type": ["boolean", "null"]}}, ["candidateId"]),
    "Assignment": view({"id": UUID, "testId": UUID, "candidateId": UUID, "stageId": UUID_OR_NULL, "status": {"type": "string"},
                        "score": {"type": ["integer", "null"]}, "passed": {"type": ["boolean", "null"]}, "invitedAt": TIMESTAMP_OR_NULL,
                        "completedAt": TIMESTAMP_OR_NULL, "createdAt": TIMESTAMP}),
    "InterviewInput": obj({"candidateId": UUID, "jobId": UUID, "campaignId": UUID_OR_NULL, "stageId": UUID_OR_NULL, "agentId": UUID_OR_NULL,
                           "expiresAt": {"type": ["string", "null"], "format": "date-time",
                                         "description": "7 days ahead by default; in the future and within a year, else 422 INVALID_EXPIRY"},
                           "sendInvite": {"type": ["boolean", "null"], "description": "true by default: INVITED, else DRAFT"}},
                          ["candidateId", "jobId"]),
    "Interview": obj({"id": UUID, "candidateId": UUID, "jobId": UUID, "campaignId": UUID_OR_NULL, "stageId": UUID_OR_NULL, "agentId": UUID_OR_NULL,
                      "status": enum(*INTERVIEW_STATUSES), "expiresAt": TIMESTAMP, "invitedAt": TIMESTAMP_OR_NULL, "startedAt": TIMESTAMP_OR_NULL,
                      "completedAt": TIMESTAMP_OR_NULL, "cancelledAt": TIMESTAMP_OR_NULL, "createdAt": TIMESTAMP, "updatedAt": TIMESTAMP,
                      "evaluation": {"anyOf": [ref("InterviewEvaluation"), {"type": "null"}], "description": "Once completed"},
                      "transcript": {"type": "array", "items": ref("TranscriptTurn"), "description": "In GET one, once completed"}},
                     # Every field is always there (null when empty) but the transcript.
                     ["id", "candidateId", "jobId", "campaignId", "stageId", "agentId", "status", "expiresAt", "invitedAt", "startedAt",
                      "completedAt", "cancelledAt", "createdAt", "updatedAt", "evaluation"]),
    "InterviewEvaluation": obj({
        "score": {"type": "integer"}, "recommendation": {"type": ["string", "null"]}, "summary": {"type": ["string", "null"]},
        "strengths": {"type": "array", "items": {"type": "string"}}, "weaknesses": {"type": "array", "items": {"type": "string"}},
        "criteria": {"type": "array", "items": ref("Criterion")}}, ["score"]),
    "Report": view({"id": UUID, "type": enum("INTERVIEW", "TEST"), "interviewId": UUID_OR_NULL, "assignmentId": UUID_OR_NULL, "testId": UUID_OR_NULL,
                    "candidateId": UUID, "jobId": UUID_OR_NULL, "campaignId": UUID_OR_NULL, "score": {"type": "integer"},
                    "passed": {"type": ["boolean", "null"]}, "recommendation": {"type": ["string", "null"]}, "summary": {"type": ["string", "null"]},
                    "strengths": {"type": "array", "items": {"type": "string"}}, "weaknesses": {"type": "array", "items": {"type": "string"}},
                    "criteria": {"type": "array", "items": ref("Criterion")}, "transcript": {"type": "array", "items": ref("TranscriptTurn")},
                    "completedAt": TIMESTAMP, "generatedAt": TIMESTAMP}),
}
SCHEMAS["Me"] = view({
    "keyId": UUID, "organizationId": UUID,
    "scopes": {"type": "array", "items": {"type": "string"}, "description": "The key's scopes, sorted"},
    "expiresAt": {**TIMESTAMP_OR_NULL, "description": "When a rolled key stops working; null for a key that does not expire"},
    "rateLimit": view({
        "plan": enum("STARTER", "PRO", "BUSINESS", "ENTERPRISE"),
        "perSecond": {"type": ["integer", "null"], "description": "null: no limit per second"},
        "perMinute": {"type": ["integer", "null"], "description": "null: no limit per minute"},
    }),
}, description="The key a request carries: GET /api/v1/me")
# Webhook endpoints (docs/api-guide.md, "Webhooks"): the secret only in the answers that make one.
WEBHOOK_URL = {"type": "string", "minLength": 1, "maxLength": 2048, "pattern": WEB_ADDRESS_PATTERN,
               "description": "https, to an address outside every private network, else 422 WEBHOOK_URL_NOT_ALLOWED"}
WEBHOOK_FIELDS = {
    "url": WEBHOOK_URL,
    "description": optional_text(500),
    "eventTypes": {"type": "array", "maxItems": len(EVENT_TYPES), "items": enum(*EVENT_TYPES),
                   "description": "The types sent to the endpoint; empty: every type"},
}
WEBHOOK_ENDPOINT = {
    "id": UUID, "url": {"type": "string"}, "description": {"type": ["string", "null"]},
    "eventTypes": {"type": "array", "items": enum(*EVENT_TYPES)}, "status": enum("ENABLED", "DISABLED"),
    "disabledReason": enum("MANUAL", "GONE", "FAILING", nullable=True), "createdAt": TIMESTAMP, "updatedAt": TIMESTAMP,
    "secretPrefix": {"type": "string", "description": "whsec_ and the first 4 characters of the current secret"},
}
SCHEMAS["WebhookEndpoint"] = view(WEBHOOK_ENDPOINT)
SCHEMAS["WebhookEndpointWithSecret"] = view({**WEBHOOK_ENDPOINT, "secret": {
    "type": "string", "pattern": "^whsec_[A-Za-z0-9+/=]{44}$",
    "description": "The signing secret (Standard Webhooks: whsec_ and the base64 of 32 bytes), shown only in this answer"}})
SCHEMAS["WebhookEndpointInput"] = obj(WEBHOOK_FIELDS, ["url"])
SCHEMAS["WebhookEndpointPatch"] = obj({**WEBHOOK_FIELDS, "status": enum("ENABLED", "DISABLED") | {
    "description": "DISABLED stops deliveries (disabledReason MANUAL); ENABLED resumes them"}})
SCHEMAS["SecretRoll"] = obj({"expiresInSeconds": integer(0, 604800) | {
    "description": "How long the old secret keeps signing beside the new one; 86400 by default"}})
SCHEMAS["DeliveryAttempt"] = view({"attemptedAt": TIMESTAMP, "responseStatus": {"type": ["integer", "null"], "description": "null: no answer"},
                                   "durationMs": {"type": "integer"}, "error": {"type": ["string", "null"]}})
SCHEMAS["Delivery"] = view({"id": UUID, "eventId": {"type": "string"}, "eventType": {"type": "string"}, "status": enum(*DELIVERY_STATUSES),
                            "createdAt": TIMESTAMP, "nextAttemptAt": TIMESTAMP_OR_NULL,
                            "attempts": {"type": "array", "items": ref("DeliveryAttempt")}})
SCHEMAS["TestEventQueued"] = view({"eventId": {"type": "string"}, "deliveryId": UUID})
SCHEMAS["DeliveryQueued"] = view({"deliveryId": UUID, "status": enum(*DELIVERY_STATUSES)})
SCHEMAS["Recovery"] = obj({"since": {"type": "string", "format": "date-time", "description": "Failed messages created at or after it are sent again"}}, ["since"])
SCHEMAS["Recovered"] = view({"queued": {"type": "integer", "minimum": 0}})
SCHEMAS["TranscriptTurn"] = TURN_SCHEMA
SCHEMAS["Criterion"] = CRITERION_SCHEMA
SCHEMAS["CampaignWithStages"] = {"allOf": [ref("Campaign"), obj({"stages": {"type": "array", "items": ref("Stage")}}, ["stages"])]}


PAGES = {}


def page_of(name):
    """A page of `name`, as the named component `<name>Page` (one class per list in a client)."""
    PAGES[f"{name}Page"] = obj({"data": {"type": "array", "items": ref(name)}, "pagination": ref("Pagination")}, ["data", "pagination"])
    return ref(f"{name}Page")


# ---- responses and parameters -----------------------------------------------------------------

HEADERS = {
    "X-Request-Id": {"description": "The caller's id, or a new one", "schema": {"type": "string"}},
    "X-RateLimit-Limit": {"description": "Requests allowed in the window described (absent for keys without limits)", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in that window", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "End of that window, UNIX seconds", "schema": {"type": "integer"}},
    "RateLimit-Policy": {"description": "The key's quota policies (draft-ietf-httpapi-ratelimit-headers): "
                                        "\"second\";q=<limit>;w=1, \"minute\";q=<limit>;w=60 (absent for keys without limits)",
                         "schema": {"type": "string"}},
    "RateLimit": {"description": "Where the key stands in the policy with the fewest requests left: "
                                 "\"<policy>\";r=<remaining>;t=<seconds to reset> (absent for keys without limits)",
                  "schema": {"type": "string"}},
}


def headers(*extra):
    """The headers every answer carries, and `extra` ones of this answer."""
    result = {name: {"$ref": f"#/components/headers/{name}"} for name in COMMON_HEADERS}
    for name in extra:
        result[name] = {"$ref": f"#/components/headers/{name}"}
    return result


# (Taken before the headers of particular answers are added below.)
COMMON_HEADERS = list(HEADERS)
HEADERS["Location"] = {"description": "The new resource's path", "schema": {"type": "string"}}
HEADERS["Allow"] = {"description": "The methods the path serves", "schema": {"type": "string"}}
HEADERS["Retry-After"] = {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
HEADERS["WWW-Authenticate"] = {"description": "Bearer realm=\"evalyo\" (RFC 6750)", "schema": {"type": "string"}}
HEADERS["Idempotent-Replayed"] = {"description": "true when this is the kept answer to an earlier request with the same Idempotency-Key",
                                  "schema": {"type": "string", "enum": ["true"]}}

# Every POST takes it (docs/api-guide.md, "Safe retries", draft-ietf-httpapi-idempotency-key-header).
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": ("Makes a retry safe: the same key within 24 hours, in the same organization, with the same method, path and "
                    "body, answers the first answer again (status, body, Location) with Idempotent-Replayed: true, and does nothing "
                    "twice. The same key with another request is 422 IDEMPOTENCY_KEY_REUSED; while the first is still running, 409 "
                    "IDEMPOTENCY_KEY_IN_USE. Answers of 500 and above are not kept."),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7E]+$"},
}


def error(description, *extra_headers):
    return {"description": description, "headers": headers(*extra_headers),
            "content": {"application/json": {"schema": ref("ErrorResponse")}}}


ERRORS = {
    "400": error("VALIDATION_ERROR: malformed JSON, a wrong type or an invalid field (details name them)"),
    "401": error("UNAUTHORIZED: no key, another scheme, a malformed, unknown or revoked key", "WWW-Authenticate"),
    "403": error("FORBIDDEN: the key lacks the scope (requiredScope names it)", "WWW-Authenticate"),
    "404": error("NOT_FOUND: no such resource in the key's organization"),
    "409": error("A conflict with the resource's current state"),
    "405": error("METHOD_NOT_ALLOWED: a documented path asked with a method it does not serve; Allow lists those it does "
                 "(GET paths answer HEAD too)", "Allow"),
    "413": error("PAYLOAD_TOO_LARGE: a body over 1 MiB"),
    "415": error("UNSUPPORTED_MEDIA_TYPE: the body is not sent with Content-Type: application/json (a charset=utf-8 parameter is allowed)"),
    "422": error("A business rule refuses the request (the code says which)"),
    "429": error("RATE_LIMITED: the key's plan allows no more now", "Retry-After"),
    "500": error("INTERNAL_ERROR: a fault of the platform, logged with the request id (never the client's doing)"),
    "503": error("SERVICE_UNAVAILABLE: the key cannot be verified, or a dependency is down; retry", "Retry-After"),
}

PAGE = {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}}
PAGE_SIZE = {"name": "pageSize", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}


def path_param(name):
    return {"name": name, "in": "path", "required": True, "schema": UUID}


def query(name, schema, required=False, description=None):
    parameter = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


# The service that answers each tag's operations: the gateway's routes (gateway/routes.conf) and
# the services' route-table tests read it from the document. "any": every resource service
# answers it (the gateway sends it to the catalog).
TAG_SERVICES = {"Keys": "any", "Jobs": "catalog", "Candidates": "catalog", "Campaigns": "catalog", "Stages": "catalog",
                "Agents": "interviews", "Tests": "interviews", "Interviews": "interviews", "Reports": "reports",
                "Webhooks": "webhooks"}


def operation(method, path, scope, summary, tag, ok, body=None, params=(), errors=(), created=False, accepted=False, name=None):
    """One operation: its scope as the security requirement's role, and every status it can answer.
    `name` is its operationId (a generated client's function: createJob → create_job)."""
    if tag not in TAG_SERVICES:
        raise SystemExit(f"openapi.py: say in TAG_SERVICES which service answers the tag {tag!r}")
    status = "201" if created else "202" if accepted else ("204" if ok is None else "200")
    extra = (["Location"] if created else []) + (["Idempotent-Replayed"] if method == "post" else [])
    success = {"description": summary, "headers": headers(*extra)}
    if ok is not None:
        success["content"] = {"application/json": {"schema": ok}}
    responses = {status: success}
    codes = ["401", "429", "500", "503"] + (["403"] if scope else []) + list(errors)
    if method == "post":
        codes += ["400", "409", "422"]
    if "{" in path:
        codes += ["400", "404"]
    if body is not None:
        codes += ["400", "413", "415"]
    if any(p.get("in") == "query" for p in params):
        codes += ["400"]
    for code in sorted(set(codes)):
        responses[code] = {"$ref": f"#/components/responses/E{code}"}
    op = {"operationId": name or f"{method}{''.join(part.strip('{}').title() for part in path.split('/')[3:])}", "summary": summary,
          "tags": [tag], "security": [{"apiKey": [scope] if scope else []}], "responses": responses}
    if scope:
        op["x-scope"] = scope
    path_params = [path_param(part.strip("{}")) for part in path.split("/") if part.startswith("{")]
    params = list(params) + ([{"$ref": "#/components/parameters/IdempotencyKey"}] if method == "post" else [])
    if path_params or params:
        op["parameters"] = path_params + params
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return method, path, op


def crud(resource, tag, name, scope, filters=(), patch=True, delete_errors=()):
    base = f"/api/v1/{resource}"
    item = f"{base}/{{id}}"
    ops = [
        operation("get", base, f"{scope}:read", f"List {resource}, newest first", tag, page_of(name), params=[PAGE, PAGE_SIZE, *filters],
                  name=f"list{tag}"),
        operation("post", base, f"{scope}:write", f"Create a {tag.lower().rstrip('s')}", tag, ref(name), body=ref(f"{name}Input"), created=True,
                  errors=CREATE_ERRORS.get(resource, ()), name=f"create{name}"),
        operation("get", item, f"{scope}:read", f"Read one", tag, ref(name), name=f"get{name}"),
    ]
    if patch:
        ops.append(operation("patch", item, f"{scope}:write", "Change the fields given (null clears an optional one)", tag, ref(name),
                             body=ref(f"{name}Patch"), errors=CREATE_ERRORS.get(resource, ()), name=f"update{name}"))
    ops.append(operation("delete", item, f"{scope}:write", "Delete", tag, None, errors=delete_errors, name=f"delete{name}"))
    return ops


CREATE_ERRORS = {"jobs": ["422"], "candidates": ["409"], "campaigns": ["422"], "stages": ["422"], "agents": ["422"], "interviews": ["422"]}

OPERATIONS = [
    *crud("jobs", "Jobs", "Job", "jobs", filters=[query("status", enum(*JOB_STATUSES)), query("department", {"type": "string", "maxLength": 200, "pattern": NO_NUL}),
                                                  query("workMode", enum(*WORK_MODES))], delete_errors=["409"]),
    *crud("candidates", "Candidates", "Candidate", "candidates",
          filters=[query("search", {"type": "string", "maxLength": 200, "pattern": NO_NUL}, description="Name or email, case-insensitive"),
                   query("campaignId", UUID), query("tags", {"type": "string", "maxLength": 1000, "pattern": r"^[^,\u0000]{0,50}(,[^,\u0000]{0,50}){0,19}$"},
                         description="Comma-separated, at most 20 of at most 50 characters; all must match")]),
    operation("get", "/api/v1/campaigns", "campaigns:read", "List campaigns, newest first", "Campaigns", page_of("Campaign"),
              params=[PAGE, PAGE_SIZE, query("status", enum(*CAMPAIGN_STATUSES)), query("jobId", UUID)], name="listCampaigns"),
    operation("post", "/api/v1/campaigns", "campaigns:write", "Create a campaign (its stages: none yet)", "Campaigns", ref("CampaignWithStages"),
              body=ref("CampaignInput"),
              created=True, errors=["422"], name="createCampaign"),
    operation("get", "/api/v1/campaigns/{id}", "campaigns:read", "Read one, with its stages in order", "Campaigns", ref("CampaignWithStages"), name="getCampaign"),
    operation("patch", "/api/v1/campaigns/{id}", "campaigns:write", "Change the fields given", "Campaigns", ref("Campaign"),
              body=ref("CampaignPatch"), errors=["422"], name="updateCampaign"),
    operation("delete", "/api/v1/campaigns/{id}", "campaigns:write", "Delete, with its stages and memberships", "Campaigns", None, name="deleteCampaign"),
    operation("get", "/api/v1/campaigns/{id}/pipeline", "campaigns:read", "Each stage with the candidates in it", "Campaigns", ref("Pipeline"), name="getCampaignPipeline"),
    operation("post", "/api/v1/campaigns/{id}/candidates", "campaigns:write", "Add a candidate (first stage by default)", "Campaigns",
              ref("Membership"), body=ref("MembershipInput"), created=True, errors=["409", "422"], name="addCampaignCandidate"),
    operation("patch", "/api/v1/campaigns/{id}/candidates/{candidateId}", "campaigns:write", "Move a candidate or change its status",
              "Campaigns", ref("Membership"), body=ref("MembershipPatch"), errors=["422"], name="updateCampaignCandidate"),
    operation("delete", "/api/v1/campaigns/{id}/candidates/{candidateId}", "campaigns:write", "Remove a candidate from the campaign",
              "Campaigns", None, name="removeCampaignCandidate"),
    operation("get", "/api/v1/stages", "stages:read", "List a campaign's stages in order", "Stages", page_of("Stage"),
              params=[query("campaignId", UUID, required=True), PAGE, PAGE_SIZE], name="listStages"),
    operation("post", "/api/v1/stages", "stages:write", "Create a stage (positions stay dense)", "Stages", ref("Stage"), body=ref("StageInput"),
              created=True, errors=["422"], name="createStage"),
    operation("get", "/api/v1/stages/{id}", "stages:read", "Read one", "Stages", ref("Stage"), name="getStage"),
    operation("patch", "/api/v1/stages/{id}", "stages:write", "Change the fields given (a new position moves the others)", "Stages", ref("Stage"),
              body=ref("StagePatch"), errors=["422"], name="updateStage"),
    operation("delete", "/api/v1/stages/{id}", "stages:write", "Delete an empty stage", "Stages", None, errors=["409"], name="deleteStage"),
    *crud("agents", "Agents", "Agent", "agents"),
    *crud("tests", "Tests", "Test", "tests", filters=[query("type", enum(*TEST_TYPES)), query("difficulty", enum(*DIFFICULTIES)),
                                                      query("isPublished", {"type": "boolean"})]),
    operation("post", "/api/v1/tests/{id}/assign", "tests:write", "Assign a published test to a candidate", "Tests", ref("Assignment"),
              body=ref("AssignmentInput"), created=True, errors=["409", "422"], name="assignTest"),
    operation("get", "/api/v1/tests/{id}/assignments", "tests:read", "The test's assignments", "Tests", page_of("Assignment"),
              params=[PAGE, PAGE_SIZE], name="listTestAssignments"),
    operation("get", "/api/v1/interviews", "interviews:read", "List interviews, newest first", "Interviews", page_of("Interview"),
              params=[PAGE, PAGE_SIZE, query("status", enum(*INTERVIEW_STATUSES)), query("jobId", UUID), query("campaignId", UUID),
                      query("candidateId", UUID)], name="listInterviews"),
    operation("post", "/api/v1/interviews", "interviews:write", "Invite a candidate to an interview", "Interviews", ref("Interview"),
              body=ref("InterviewInput"), created=True, errors=["422"], name="createInterview"),
    operation("get", "/api/v1/interviews/{id}", "interviews:read", "Read one, with its evaluation and transcript once completed", "Interviews",
              ref("Interview"), name="getInterview"),
    operation("post", "/api/v1/interviews/{id}/cancel", "interviews:write", "Cancel a DRAFT or INVITED interview", "Interviews",
              ref("Interview"), errors=["409"], name="cancelInterview"),
    operation("get", "/api/v1/me", None, "Which key am I: the key's id, organization, scopes, expiry and rate limits (any valid key, "
              "no scope; it counts against the key's limits)", "Keys", ref("Me"), name="getMe"),
    operation("get", "/api/v1/reports", "reports:read", "List reports, newest first", "Reports", page_of("Report"),
              params=[PAGE, PAGE_SIZE, query("candidateId", UUID), query("campaignId", UUID), query("type", enum("INTERVIEW", "TEST"))], name="listReports"),
    operation("get", "/api/v1/reports/{id}", "reports:read", "Read one", "Reports", ref("Report"), name="getReport"),
    operation("get", "/api/v1/reports/interviews/{interviewId}", "reports:read", "The report of a completed interview", "Reports", ref("Report"), name="getInterviewReport"),
    operation("get", "/api/v1/reports/tests/{assignmentId}", "reports:read", "The report of a completed test assignment", "Reports", ref("Report"), name="getTestReport"),
    operation("get", "/api/v1/webhook-endpoints", "webhooks:read", "List webhook endpoints, newest first", "Webhooks", page_of("WebhookEndpoint"),
              params=[PAGE, PAGE_SIZE], name="listWebhookEndpoints"),
    operation("post", "/api/v1/webhook-endpoints", "webhooks:write", "Add an endpoint; its signing secret is in this answer only", "Webhooks",
              ref("WebhookEndpointWithSecret"), body=ref("WebhookEndpointInput"), created=True, errors=["422"], name="createWebhookEndpoint"),
    operation("get", "/api/v1/webhook-endpoints/{id}", "webhooks:read", "Read one", "Webhooks", ref("WebhookEndpoint"), name="getWebhookEndpoint"),
    operation("patch", "/api/v1/webhook-endpoints/{id}", "webhooks:write", "Change the fields given; disable or enable", "Webhooks",
              ref("WebhookEndpoint"), body=ref("WebhookEndpointPatch"), errors=["422"], name="updateWebhookEndpoint"),
    operation("delete", "/api/v1/webhook-endpoints/{id}", "webhooks:write", "Delete: nothing more is sent to it", "Webhooks", None,
              name="deleteWebhookEndpoint"),
    operation("post", "/api/v1/webhook-endpoints/{id}/roll-secret", "webhooks:write",
              "A new signing secret, in this answer only; the old one signs beside it until it expires", "Webhooks",
              ref("WebhookEndpointWithSecret"), body=ref("SecretRoll"), created=True, name="rollWebhookSecret"),
    operation("post", "/api/v1/webhook-endpoints/{id}/test", "webhooks:write", "Send a webhook.test event to this endpoint now", "Webhooks",
              ref("TestEventQueued"), accepted=True, name="sendWebhookTest"),
    operation("get", "/api/v1/webhook-endpoints/{id}/deliveries", "webhooks:read", "Each message sent to the endpoint, newest first, with its attempts",
              "Webhooks", page_of("Delivery"), params=[PAGE, PAGE_SIZE, query("status", enum(*DELIVERY_STATUSES))], name="listWebhookDeliveries"),
    operation("post", "/api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry", "webhooks:write", "Send one message again now", "Webhooks",
              ref("DeliveryQueued"), accepted=True, name="retryWebhookDelivery"),
    operation("post", "/api/v1/webhook-endpoints/{id}/recover", "webhooks:write", "Send again every failed message since a time", "Webhooks",
              ref("Recovered"), body=ref("Recovery"), accepted=True, name="recoverWebhookDeliveries"),
]


def document():
    paths = {}
    for method, path, op in OPERATIONS:
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Evalyo API",
            "version": "1.0.0",
            "description": (
                "The public REST API of Evalyo, an agentic platform for AI interviews and assessments. Every request carries an API key "
                "created in the console (Integrations → API keys) as `Authorization: Bearer evk_…`; each operation needs one scope, "
                "given as the role of its security requirement and in `x-scope`. Lists take `page` and `pageSize` (1 to 100) and answer "
                "newest first. Errors are `{\"error\": {\"code\", \"message\", \"details\"}}`. Requests are limited per key by the "
                "organization's plan; `X-RateLimit-*` headers say where a key stands. Every POST takes an `Idempotency-Key` header "
                "that makes retrying it safe. Request bodies are strict JSON (RFC 8259: no trailing commas, comments or single "
                "quotes) sent with `Content-Type: application/json`; any other type is 415."
            ),
        },
        "servers": [{"url": "/", "description": "The gateway that serves this document"}],
        "security": [{"apiKey": []}],
        "tags": [{"name": name, "x-service": service} for name, service in TAG_SERVICES.items()],
        "paths": paths,
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "bearerFormat": "evk_ + 36 characters",
                                           "description": "An API key from the console; its scopes are fixed at creation"}},
            "schemas": {**SCHEMAS, **dict(sorted(PAGES.items())), **dict(sorted(ENUMS.items()))},
            "responses": {f"E{code}": response for code, response in ERRORS.items()},
            "headers": HEADERS,
            "parameters": {"IdempotencyKey": IDEMPOTENCY_KEY},
        },
    }


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    with open(out, "w") as file:
        json.dump(document(), file, indent=1, ensure_ascii=False)
        file.write("\n")
