"""The sync and async repositories are one design: same methods, same
parameters; the async ones are coroutines."""

from __future__ import annotations

import inspect

from shared_infrastructure.database.repository import AsyncBaseRepository, SyncBaseRepository

SEED_002_METHODS = {
    "create",
    "create_many",
    "get",
    "get_by",
    "get_all",
    "filter",
    "count",
    "exists",
    "update",
    "update_many",
    "delete",
    "delete_many",
    "get_or_raise",
    "get_by_or_raise",
    "execute",
}


def _public(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if callable(member) and not name.startswith("_")
    }


def test_same_methods_and_parameters() -> None:
    sync_methods = _public(SyncBaseRepository)
    async_methods = _public(AsyncBaseRepository)
    assert sync_methods.keys() == async_methods.keys()
    assert sync_methods.keys() >= SEED_002_METHODS
    assert {"upsert", "upsert_many", "insert_many", "paginate", "find", "restore"} <= set(
        sync_methods
    )
    for name, signature in sync_methods.items():
        assert list(signature.parameters.values()) == list(
            async_methods[name].parameters.values()
        ), name
        assert inspect.iscoroutinefunction(getattr(AsyncBaseRepository, name)), name
        assert not inspect.iscoroutinefunction(getattr(SyncBaseRepository, name)), name
