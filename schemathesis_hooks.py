"""schemathesis's hooks for Tests/SystemTests/HostileInputTests (loaded through SCHEMATHESIS_HOOKS).

Two things schemathesis does that no client of the API does, each turned into what a client
would send, so that what it reports is about the API:

- It sends the same generated request twice: when it runs a scenario again to shrink a failure,
  and when hypothesis draws the same values. With the same valid Idempotency-Key and body, the
  second POST is, as the API guide says, the first answer replayed, even when the resource it
  created has since been deleted; its stateful checks then report "created resource not found".
  A valid key is made unique per call (an invalid one is left as drawn, to be refused with 400).
- A link it inferred from a nullable field (an agent's `jobId`) puts the text "None" in a path
  when the field is null. A path parameter that schemathesis has no value for becomes a random
  UUID: an id that names nothing, which the API answers with 404.
"""
import re
import uuid

import schemathesis

IDEMPOTENCY_KEY = re.compile(r"^[\x20-\x7E]{1,255}$")


@schemathesis.hook
def before_call(context, case, kwargs):
    # Only valid (positive) requests are touched: an edit makes schemathesis validate the case
    # again, and a negative case (say, one without Authorization) would then be sent as valid.
    # A negative request is refused before its Idempotency-Key is stored, or its 4xx replayed.
    if case.meta is None or case.meta.generation.mode.is_negative:
        return
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str) and IDEMPOTENCY_KEY.match(headers[name]):
            headers[name] = f"st-{uuid.uuid4().hex}"
    for name, value in (case.path_parameters or {}).items():
        if value is None or value == "None":
            case.path_parameters[name] = str(uuid.uuid4())
