"""``shared_infrastructure.web`` exports its names lazily.

Every name of ``__all__`` is importable from the package as before; a
submodule (``request_id``, ``etag``) can be imported without the session
middleware and with it SQLAlchemy.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import shared_infrastructure.web as web


@pytest.mark.parametrize("name", web.__all__)
def test_every_exported_name_is_the_submodules_object(name: str) -> None:
    module = importlib.import_module(f"shared_infrastructure.web.{web._EXPORTS[name]}")

    assert getattr(web, name) is getattr(module, name)
    assert name in dir(web)


def test_the_export_table_and_all_agree() -> None:
    assert sorted(web._EXPORTS) == sorted(web.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = web.Nope  # type: ignore[attr-defined]
    with pytest.raises(ImportError):
        exec("from shared_infrastructure.web import Nope", {})


def _modules_after(statement: str) -> list[str]:
    script = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return list(json.loads(completed.stdout))


def test_a_submodule_comes_without_the_database_adapters() -> None:
    modules = _modules_after("from shared_infrastructure.web import get_request_id")

    assert "shared_infrastructure.web.request_id" in modules
    assert not [m for m in modules if m == "sqlalchemy" or m.startswith("sqlalchemy.")]
    assert "shared_infrastructure.web.middleware" not in modules


def test_a_name_of_the_middleware_brings_the_middleware() -> None:
    modules = _modules_after("from shared_infrastructure.web import DatabaseSessionMiddleware")

    assert "shared_infrastructure.web.middleware" in modules
    assert "sqlalchemy" in modules
