"""The service against its own OpenAPI document, as a client would probe
it: schemathesis generates valid and invalid requests for every
operation and runs every check (no 5xx, documented status codes, content
types and headers, response bodies matching their schemas, invalid data
refused, valid data accepted, 405 with ``Allow``...).

On the embedded database (in-memory SQLite, migrated by the app), with a
fixed seed and a bounded number of examples per operation, so a run is
reproducible and takes seconds. Run through schemathesis's engine (what
its CLI runs) rather than its pytest plugin, which does not support the
pytest release of this workspace.
"""

from __future__ import annotations

import schemathesis
from schemathesis.engine import Status, events, from_schema

from api.app import create_app
from shared_infrastructure.config.settings import Environment, load_settings

EXAMPLES_PER_OPERATION = 10
SEED = 20260101
PHASES = ["examples", "coverage", "fuzzing", "stateful"]


def _describe(event: events.ScenarioFinished) -> list[str]:
    problems = []
    for checks in event.recorder.checks.values():
        for check in checks:
            if check.status is Status.FAILURE and check.failure_info is not None:
                failure = check.failure_info.failure
                sample = check.failure_info.code_sample
                problems.append(
                    f"{event.label} [{check.name}] {failure.title}: {failure.message}\n{sample}"
                )
    return problems or [f"{event.label}: {event.status}"]


def _breaks_a_rule_the_schema_cannot_state(case: schemathesis.Case) -> bool:
    """Valid input by the document that the service rightly refuses:
    cursors and entity tags are tokens only the service makes (any cursor
    text fits the schema; a well-formed ``If-Match`` naming another version
    is a 412), and a few rules relate two fields (a range's ends, a
    schedule's order). Hand-written tests cover those answers."""
    query = case.query or {}
    headers = {name.lower() for name in case.headers or {}}
    if query.get("cursor") is not None or "if-match" in headers:
        return True
    for low, high in (("min_price", "max_price"), ("starts_from", "starts_before")):
        if query.get(low) is not None and query.get(high) is not None:
            return True
    body = case.body if isinstance(case.body, dict) else {}
    return "starts_at" in body or "ends_at" in body


def _keep(context: object, case: schemathesis.Case) -> bool:
    meta = case.meta
    positive = meta is None or not meta.generation.mode.is_negative
    return not (positive and _breaks_a_rule_the_schema_cannot_state(case))


def test_the_service_keeps_its_openapi_contract() -> None:
    settings = load_settings(database_url="sqlite://", environment=Environment.TESTING)
    app = create_app(settings, apply_migrations=True)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.hook("filter_case")(_keep)
    schema.config.seed = SEED
    schema.config.phases.update(phases=PHASES)
    schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, deterministic=True)

    problems: list[str] = []
    tested = 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            tested += 1
            if event.status in (Status.FAILURE, Status.ERROR):
                problems.extend(_describe(event))
        elif isinstance(event, events.NonFatalError):
            problems.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            problems.append(f"fatal: {event.exception!r}")

    assert tested > 0
    assert problems == [], "\n\n".join(problems)
