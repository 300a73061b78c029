"""Helpers shared by the repository tests."""

from __future__ import annotations

from typing import Any


class SqlLog:
    """Every statement sent to the driver (one entry per cursor call, so an
    ``executemany`` counts once, as a batch)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def clear(self) -> None:
        self.statements.clear()

    def count(self, verb: str) -> int:
        return sum(1 for s in self.statements if s.lstrip().upper().startswith(verb.upper()))

    def __len__(self) -> int:
        return len(self.statements)

    def record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)
