"""retry_on_conflict: lost races are re-run, real failures are not."""

from __future__ import annotations

import pytest

from shared_infrastructure.application import retry_on_conflict
from shared_infrastructure.domain import (
    ConcurrencyConflict,
    DomainRuleViolation,
    VersionMismatch,
)


class Flaky:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "done"


async def no_sleep(_: float) -> None:
    return None


async def test_a_lost_race_is_run_again_from_scratch() -> None:
    operation = Flaky([ConcurrencyConflict("Order", "o1"), ConcurrencyConflict("Order", "o1")])
    assert await retry_on_conflict(operation, attempts=3, sleep=no_sleep) == "done"
    assert operation.calls == 3


async def test_the_last_conflict_propagates() -> None:
    operation = Flaky([ConcurrencyConflict("Order", "o1")] * 3)
    with pytest.raises(ConcurrencyConflict):
        await retry_on_conflict(operation, attempts=2, sleep=no_sleep)
    assert operation.calls == 2


async def test_a_stale_expectation_of_the_caller_is_never_retried() -> None:
    operation = Flaky([VersionMismatch("Order", "o1", 3)])
    with pytest.raises(VersionMismatch):
        await retry_on_conflict(operation, sleep=no_sleep)
    assert operation.calls == 1


async def test_other_errors_are_not_retried() -> None:
    operation = Flaky([DomainRuleViolation("no", field="x")])
    with pytest.raises(DomainRuleViolation):
        await retry_on_conflict(operation, sleep=no_sleep)
    assert operation.calls == 1


async def test_attempts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await retry_on_conflict(Flaky([]), attempts=0)
