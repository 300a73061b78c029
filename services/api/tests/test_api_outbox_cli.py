"""``api outbox``: status, retry and replay, with one-line errors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import URL

import api.cli
from api.cli import main
from shared_infrastructure.application.integration_events import IntegrationEvent
from shared_infrastructure.messaging.outbox import outbox_row
from shared_infrastructure.messaging.records import OutboxRecord, ParkedRecord


@pytest.fixture(autouse=True)
def _keep_pytest_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api.cli, "configure_logging", lambda *args, **kwargs: None)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def event(key: str) -> IntegrationEvent:
    return IntegrationEvent(
        source="product_catalog",
        name="product.created",
        version=1,
        aggregate_key=key,
        payload={"code": key},
    )


@pytest.fixture
def migrated(fresh_database: URL, capsys: pytest.CaptureFixture[str]) -> str:
    url = fresh_database.render_as_string(hide_password=False)
    assert run(capsys, "migrate", "upgrade", "--database-url", url)[0] == 0
    return url


def test_status_shows_pending_parked_and_the_oldest_age(
    migrated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_engine(migrated)
    pending, stuck = event("P1"), event("P2")
    try:
        with engine.begin() as connection:
            old = datetime.now(UTC) - timedelta(seconds=90)
            connection.execute(insert(OutboxRecord), [outbox_row(pending, old)])
            connection.execute(
                insert(ParkedRecord),
                [
                    {
                        "consumer": "events.ticket_products",
                        "message_id": stuck.id,
                        "position": 7,
                        "aggregate_key": "P2",
                        "body": stuck.to_json(),
                        "attempts": 5,
                        "last_error": "RuntimeError: projection refused",
                        "parked_at": datetime.now(UTC),
                    }
                ],
            )
    finally:
        engine.dispose()

    code, out, _ = run(capsys, "outbox", "status", "--database-url", migrated)

    assert code == 0
    assert "pending: 1" in out
    assert "parked: 1" in out
    age = float(out.split("oldest pending: ")[1].split(" s")[0])
    assert age >= 90
    assert str(stuck.id) in out
    assert "events.ticket_products" in out
    assert "product.created.v1" in out
    assert "RuntimeError: projection refused" in out

    code, _, err = run(capsys, "outbox", "retry", str(stuck.id), "--database-url", migrated)
    assert code == 1
    assert "no subscription 'events.ticket_products'" in err


def test_an_empty_outbox(migrated: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "outbox", "status", "--database-url", migrated)
    assert code == 0
    assert out.splitlines() == ["pending: 0", "oldest pending: -", "parked: 0"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["retry", "not-a-uuid"], "'not-a-uuid' is not a message id"),
        (["retry", str(uuid.UUID(int=1))], f"no parked message {uuid.UUID(int=1)}"),
        (["replay", "--consumer", "nobody.none", "--from", "1", "--to", "2"], "no consumer"),
        (["replay", "--consumer", "nobody.none", "--from", "3", "--to", "2"], "--from must not"),
    ],
)
def test_bad_requests_are_one_line_errors(
    migrated: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "outbox", *argv, "--database-url", migrated)
    assert code == 1
    assert message in err
    assert "Traceback" not in err + out
