"""A recruiter's integration written against the Python client generated from the served
OpenAPI document (openapi-python-client), run through the real gateway by
Tests/SystemTests/GeneratedClientTests. Every resource is created, listed with filters,
changed and deleted; a 401, 403, 404, 409, 422 and 429 are each parsed into the documented
error model. Type-checked with mypy --strict beside the client.

Environment: EVALYO_URL (the gateway), EVALYO_KEY (every scope), EVALYO_READ_KEY (jobs:read
only), EVALYO_LIMITED_KEY (an organization whose plan allows a few requests a second).
"""

import datetime
import os
import sys
import uuid
from http import HTTPStatus
from typing import Any, TypeVar

from evalyo_api_client import AuthenticatedClient
from evalyo_api_client.api.agents import create_agent, delete_agent, list_agents, update_agent
from evalyo_api_client.api.campaigns import (add_campaign_candidate, create_campaign, delete_campaign, get_campaign,
                                             get_campaign_pipeline, list_campaigns, remove_campaign_candidate, update_campaign,
                                             update_campaign_candidate)
from evalyo_api_client.api.candidates import create_candidate, delete_candidate, get_candidate, list_candidates, update_candidate
from evalyo_api_client.api.interviews import cancel_interview, create_interview, get_interview, list_interviews
from evalyo_api_client.api.jobs import create_job, delete_job, get_job, list_jobs, update_job
from evalyo_api_client.api.keys import get_me
from evalyo_api_client.api.reports import list_reports
from evalyo_api_client.api.stages import create_stage, delete_stage, list_stages, update_stage
from evalyo_api_client.api.tests import assign_test, create_test, delete_test, list_test_assignments, list_tests, update_test
from evalyo_api_client.models import (AgentInput, AgentPatch, AgentProvider, AgentTone, AssignmentInput, CampaignInput, CampaignPatch,
                                      CampaignStatus, CandidateInput, CandidatePatch, ErrorResponse, InterviewInput, InterviewStatus,
                                      JobInput, JobPatch, JobStatus, MembershipInput, MembershipPatch, MembershipStatus, StageInput,
                                      StagePatch, StageType, TestInput, TestPatch, TestType, WorkMode)
from evalyo_api_client.types import Response

T = TypeVar("T")
steps = 0


def ok(response: Response[ErrorResponse | T], status: HTTPStatus, kind: type[T]) -> T:
    """The parsed answer of a call that must succeed with `status`, as the documented model."""
    global steps
    steps += 1
    assert response.status_code == status, f"{response.status_code}: {response.content!r}"
    assert isinstance(response.parsed, kind), f"{type(response.parsed)}: {response.content!r}"
    return response.parsed


def refused(response: Response[ErrorResponse | T], status: HTTPStatus, code: str) -> ErrorResponse:
    """The parsed error of a call that must be refused with `status` and `code`."""
    global steps
    steps += 1
    assert response.status_code == status, f"{response.status_code}: {response.content!r}"
    error = response.parsed
    assert isinstance(error, ErrorResponse), f"{type(error)}: {response.content!r}"
    assert error.error.code == code, error.error.code
    assert error.error.message
    return error


def deleted(response: Response[Any | ErrorResponse]) -> None:
    """A delete that must succeed: 204, no body."""
    global steps
    steps += 1
    assert response.status_code == HTTPStatus.NO_CONTENT, f"{response.status_code}: {response.content!r}"


def main() -> None:
    url = os.environ["EVALYO_URL"]
    api = AuthenticatedClient(base_url=url, token=os.environ["EVALYO_KEY"])
    reader = AuthenticatedClient(base_url=url, token=os.environ["EVALYO_READ_KEY"])
    limited = AuthenticatedClient(base_url=url, token=os.environ["EVALYO_LIMITED_KEY"])
    nobody = AuthenticatedClient(base_url=url, token="evk_" + "0" * 36)
    suffix = uuid.uuid4().hex[:8]

    me = get_me.sync_detailed(client=api)
    from evalyo_api_client.models import Me
    assert "jobs:write" in ok(me, HTTPStatus.OK, Me).scopes

    # Jobs
    from evalyo_api_client.models import Job, JobPage
    job = ok(create_job.sync_detailed(client=api, body=JobInput(title="Backend engineer", work_mode=WorkMode.REMOTE, status=JobStatus.ACTIVE)),
             HTTPStatus.CREATED, Job)
    assert job.work_mode == WorkMode.REMOTE and job.status == JobStatus.ACTIVE
    page = ok(list_jobs.sync_detailed(client=api, status=JobStatus.ACTIVE, work_mode=WorkMode.REMOTE, page_size=100), HTTPStatus.OK, JobPage)
    assert job.id in [item.id for item in page.data]
    assert ok(update_job.sync_detailed(job.id, client=api, body=JobPatch(title="Senior backend engineer")), HTTPStatus.OK, Job).title == \
        "Senior backend engineer"
    assert ok(get_job.sync_detailed(job.id, client=api), HTTPStatus.OK, Job).title == "Senior backend engineer"
    spare = ok(create_job.sync_detailed(client=api, body=JobInput(title="To delete")), HTTPStatus.CREATED, Job)
    deleted(delete_job.sync_detailed(spare.id, client=api))
    refused(get_job.sync_detailed(spare.id, client=api), HTTPStatus.NOT_FOUND, "NOT_FOUND")

    # Candidates (one email per organization: a second one is 409)
    from evalyo_api_client.models import Candidate, CandidatePage
    email = f"ada.{suffix}@example.com"
    candidate = ok(create_candidate.sync_detailed(client=api, body=CandidateInput(email=email, first_name="Ada", last_name="Lovelace",
                                                                                   tags=["python"])), HTTPStatus.CREATED, Candidate)
    refused(create_candidate.sync_detailed(client=api, body=CandidateInput(email=email)), HTTPStatus.CONFLICT, "EMAIL_ALREADY_EXISTS")
    found = ok(list_candidates.sync_detailed(client=api, search="lovelace", tags="python"), HTTPStatus.OK, CandidatePage)
    assert candidate.id in [item.id for item in found.data]
    assert ok(update_candidate.sync_detailed(candidate.id, client=api, body=CandidatePatch(phone="+33 6 12 34 56 78")),
              HTTPStatus.OK, Candidate).phone == "+33 6 12 34 56 78"
    assert ok(get_candidate.sync_detailed(candidate.id, client=api), HTTPStatus.OK, Candidate).email == email

    # Agents and tests
    from evalyo_api_client.models import Agent, AgentPage, Assignment, AssignmentPage, Test, TestPage
    agent = ok(create_agent.sync_detailed(client=api, body=AgentInput(name="Interviewer", provider=AgentProvider.OPENAI)),
               HTTPStatus.CREATED, Agent)
    assert ok(update_agent.sync_detailed(agent.id, client=api, body=AgentPatch(tone=AgentTone.FRIENDLY)), HTTPStatus.OK, Agent).tone == \
        AgentTone.FRIENDLY
    assert agent.id in [item.id for item in ok(list_agents.sync_detailed(client=api), HTTPStatus.OK, AgentPage).data]
    test = ok(create_test.sync_detailed(client=api, body=TestInput(title="Python basics", type_=TestType.TECHNICAL)), HTTPStatus.CREATED, Test)
    test = ok(update_test.sync_detailed(test.id, client=api, body=TestPatch(is_published=True)), HTTPStatus.OK, Test)
    tests = ok(list_tests.sync_detailed(client=api, type_=TestType.TECHNICAL, is_published=True), HTTPStatus.OK, TestPage)
    assert test.id in [item.id for item in tests.data]
    assignment = ok(assign_test.sync_detailed(test.id, client=api, body=AssignmentInput(candidate_id=candidate.id)), HTTPStatus.CREATED, Assignment)
    assignments = ok(list_test_assignments.sync_detailed(test.id, client=api), HTTPStatus.OK, AssignmentPage)
    assert assignment.id in [item.id for item in assignments.data]

    # Campaigns, stages, memberships
    from evalyo_api_client.models import Campaign, CampaignPage, CampaignWithStages, Membership, Pipeline, Stage, StagePage
    campaign = ok(create_campaign.sync_detailed(client=api, body=CampaignInput(name="Autumn hiring", job_id=job.id)),
                  HTTPStatus.CREATED, CampaignWithStages)
    assert campaign.stages == []
    # A business rule: the end before the start.
    refused(create_campaign.sync_detailed(client=api, body=CampaignInput(name="Backwards", job_id=job.id, start_date=datetime.date(2030, 5, 2),
                                                                         end_date=datetime.date(2030, 5, 1))),
            HTTPStatus.UNPROCESSABLE_ENTITY, "INVALID_DATE_RANGE")
    assert ok(update_campaign.sync_detailed(campaign.id, client=api, body=CampaignPatch(status=CampaignStatus.ACTIVE)), HTTPStatus.OK,
              Campaign).status == CampaignStatus.ACTIVE
    campaigns = ok(list_campaigns.sync_detailed(client=api, status=CampaignStatus.ACTIVE, job_id=job.id), HTTPStatus.OK, CampaignPage)
    assert [item.id for item in campaigns.data] == [campaign.id]
    stage = ok(create_stage.sync_detailed(client=api, body=StageInput(campaign_id=campaign.id, name="AI interview", type_=StageType.AI_INTERVIEW,
                                                                      agent_id=agent.id)), HTTPStatus.CREATED, Stage)
    assert ok(update_stage.sync_detailed(stage.id, client=api, body=StagePatch(name="First interview")), HTTPStatus.OK, Stage).name == \
        "First interview"
    assert [item.id for item in ok(list_stages.sync_detailed(client=api, campaign_id=campaign.id), HTTPStatus.OK, StagePage).data] == [stage.id]
    assert len(ok(get_campaign.sync_detailed(campaign.id, client=api), HTTPStatus.OK, CampaignWithStages).stages) == 1
    membership = ok(add_campaign_candidate.sync_detailed(campaign.id, client=api, body=MembershipInput(candidate_id=candidate.id)),
                    HTTPStatus.CREATED, Membership)
    assert membership.stage_id == stage.id
    assert ok(update_campaign_candidate.sync_detailed(campaign.id, candidate.id, client=api, body=MembershipPatch(status=MembershipStatus.HIRED)),
              HTTPStatus.OK, Membership).status == MembershipStatus.HIRED
    pipeline = ok(get_campaign_pipeline.sync_detailed(campaign.id, client=api), HTTPStatus.OK, Pipeline)
    assert [item.stage.id for item in pipeline.stages] == [stage.id]

    # Interviews
    from evalyo_api_client.models import Interview, InterviewPage, ReportPage
    interview = ok(create_interview.sync_detailed(client=api, body=InterviewInput(candidate_id=candidate.id, job_id=job.id, agent_id=agent.id)),
                   HTTPStatus.CREATED, Interview)
    assert interview.status == InterviewStatus.INVITED and interview.evaluation is None
    invited = ok(list_interviews.sync_detailed(client=api, status=InterviewStatus.INVITED, candidate_id=candidate.id), HTTPStatus.OK, InterviewPage)
    assert [item.id for item in invited.data] == [interview.id]
    assert ok(cancel_interview.sync_detailed(interview.id, client=api), HTTPStatus.OK, Interview).status == InterviewStatus.CANCELLED
    refused(cancel_interview.sync_detailed(interview.id, client=api), HTTPStatus.CONFLICT, "INTERVIEW_CANCELLED")
    assert ok(get_interview.sync_detailed(interview.id, client=api), HTTPStatus.OK, Interview).cancelled_at is not None
    ok(list_reports.sync_detailed(client=api, candidate_id=candidate.id), HTTPStatus.OK, ReportPage)

    # Webhooks: an endpoint on this machine (the test platform, like scripts/run, allows 127.0.0.0/8 over http)
    from evalyo_api_client.api.webhooks import (create_webhook_endpoint, delete_webhook_endpoint, get_webhook_endpoint,
                                                list_webhook_deliveries, list_webhook_endpoints, recover_webhook_deliveries,
                                                roll_webhook_secret, send_webhook_test, update_webhook_endpoint)
    from evalyo_api_client.models import (DeliveryPage, Recovered, Recovery, SecretRoll, TestEventQueued, WebhookEndpoint,
                                          WebhookEndpointInput, WebhookEndpointPage, WebhookEndpointPatch, WebhookEndpointStatus,
                                          WebhookEndpointWithSecret, WebhookEventType)
    hook = ok(create_webhook_endpoint.sync_detailed(client=api, body=WebhookEndpointInput(
        url="http://127.0.0.1:9/evalyo", event_types=[WebhookEventType.REPORT_CREATED])), HTTPStatus.CREATED, WebhookEndpointWithSecret)
    assert hook.secret.startswith("whsec_") and hook.event_types == [WebhookEventType.REPORT_CREATED]
    hooks = ok(list_webhook_endpoints.sync_detailed(client=api), HTTPStatus.OK, WebhookEndpointPage)
    assert hook.id in [item.id for item in hooks.data]
    paused = ok(update_webhook_endpoint.sync_detailed(hook.id, client=api, body=WebhookEndpointPatch(status=WebhookEndpointStatus.DISABLED)),
                HTTPStatus.OK, WebhookEndpoint)
    assert paused.status == WebhookEndpointStatus.DISABLED
    ok(send_webhook_test.sync_detailed(hook.id, client=api), HTTPStatus.ACCEPTED, TestEventQueued)
    assert len(ok(list_webhook_deliveries.sync_detailed(hook.id, client=api), HTTPStatus.OK, DeliveryPage).data) == 1
    rolled = ok(roll_webhook_secret.sync_detailed(hook.id, client=api, body=SecretRoll(expires_in_seconds=60)), HTTPStatus.CREATED,
                WebhookEndpointWithSecret)
    assert rolled.secret != hook.secret
    since = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    ok(recover_webhook_deliveries.sync_detailed(hook.id, client=api, body=Recovery(since=since)), HTTPStatus.ACCEPTED, Recovered)
    refused(create_webhook_endpoint.sync_detailed(client=api, body=WebhookEndpointInput(url="https://10.0.0.1/hooks")),
            HTTPStatus.UNPROCESSABLE_ENTITY, "WEBHOOK_URL_NOT_ALLOWED")
    deleted(delete_webhook_endpoint.sync_detailed(hook.id, client=api))
    refused(get_webhook_endpoint.sync_detailed(hook.id, client=api), HTTPStatus.NOT_FOUND, "NOT_FOUND")

    # Errors, each in the documented model
    refused(get_me.sync_detailed(client=nobody), HTTPStatus.UNAUTHORIZED, "UNAUTHORIZED")
    forbidden = refused(create_job.sync_detailed(client=reader, body=JobInput(title="Not allowed")), HTTPStatus.FORBIDDEN, "FORBIDDEN")
    assert forbidden.error.required_scope == "jobs:write"
    refused(get_candidate.sync_detailed(uuid.uuid4(), client=api), HTTPStatus.NOT_FOUND, "NOT_FOUND")
    for _ in range(100):
        answer = get_me.sync_detailed(client=limited)
        if answer.status_code == HTTPStatus.TOO_MANY_REQUESTS:
            refused(answer, HTTPStatus.TOO_MANY_REQUESTS, "RATE_LIMITED")
            assert int(answer.headers["Retry-After"]) >= 1
            break
    else:
        sys.exit("no 429 in 100 requests of a key whose plan allows 10 a second")

    # Deleting: the membership, the stage, the campaign, the agent, the test, the candidate
    deleted(remove_campaign_candidate.sync_detailed(campaign.id, candidate.id, client=api))
    deleted(delete_stage.sync_detailed(stage.id, client=api))
    deleted(delete_campaign.sync_detailed(campaign.id, client=api))
    spare_agent = ok(create_agent.sync_detailed(client=api, body=AgentInput(name="Spare")), HTTPStatus.CREATED, Agent)
    deleted(delete_agent.sync_detailed(spare_agent.id, client=api))
    spare_test = ok(create_test.sync_detailed(client=api, body=TestInput(title="Spare")), HTTPStatus.CREATED, Test)
    deleted(delete_test.sync_detailed(spare_test.id, client=api))
    spare_candidate = ok(create_candidate.sync_detailed(client=api, body=CandidateInput(email=f"spare.{suffix}@example.com")),
                         HTTPStatus.CREATED, Candidate)
    deleted(delete_candidate.sync_detailed(spare_candidate.id, client=api))
    print(f"generated client scenario: {steps} calls, every answer parsed into its documented model")


if __name__ == "__main__":
    main()
